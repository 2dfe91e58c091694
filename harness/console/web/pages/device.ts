import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, apiBlob, ApiError } from '../api';
import { when, words } from '../format';
import { useLiveLoad } from '../live';
import { collectionOfType, RESOURCE_COLLECTIONS } from '../resources';

/** The shapes of GET /console/api/devices/{serial} (harness/backend/console/deviceScreen.ts). */
interface ScreenNode {
  role: 'title' | 'button' | 'input' | 'text' | 'image';
  className: string;
  key: string | null;
  text: string;
  hint: string | null;
  resourceId: string;
  clickable: boolean;
  bounds: { x1: number; y1: number; x2: number; y2: number };
  action: string | null;
  reads: string | null;
}
interface DeviceScreen {
  state: string;
  screenId: string;
  title: string;
  appPackage: string;
  poweredOff: boolean;
  error: boolean;
  width: number;
  height: number;
  nodes: ScreenNode[];
}
interface LedgerEntry {
  seq: number;
  fromStage: string | null;
  toStage: string;
  at: string;
  actor: string;
  tokenId: string | null;
}
interface DeviceDetail {
  serialNumber: string;
  managedDevice: Record<string, unknown> | null;
  stage: string | null;
  connected: boolean;
  modelState: string | null;
  reportedAt: string | null;
  screen: DeviceScreen | null;
  ledger: LedgerEntry[];
}
interface Assignment {
  id: string;
  target: Record<string, string | undefined>;
}
interface Payload {
  id: string;
  displayName: string;
}

/** The phone is drawn at this fraction of the simulated display's pixels. */
const SCALE = 0.45;
/** POWER_BUTTON of agent/protocol/messages.ts (the bundle does not take the protocol's zod schemas). */
const POWER_BUTTON = 'powerButton';

function Phone({ screen, serial, connected }: { screen: DeviceScreen; serial: string; connected: boolean }) {
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const press = async (key: string, reads: string | null) => {
    const typed: Record<string, string> = {};
    for (const node of screen.nodes)
      if (node.role === 'input' && node.key && (reads === null || node.key === reads))
        typed[node.key] = inputs[node.key] ?? node.text;
    try {
      await api(`/console/api/devices/${encodeURIComponent(serial)}/press`, {
        method: 'POST',
        body: { key, inputs: typed },
      });
      setMessage(null);
    } catch (caught) {
      setMessage(caught instanceof ApiError ? caught.message : String(caught));
    }
  };
  const box = (node: ScreenNode) => ({
    left: `${node.bounds.x1 * SCALE}px`,
    top: `${node.bounds.y1 * SCALE}px`,
    width: `${(node.bounds.x2 - node.bounds.x1) * SCALE}px`,
    height: `${(node.bounds.y2 - node.bounds.y1) * SCALE}px`,
  });
  const drawn = (node: ScreenNode) => {
    const common = {
      style: box(node),
      'data-key': node.key ?? undefined,
      'data-resource-id': node.resourceId || undefined,
    };
    switch (node.role) {
      case 'title':
        return html`<h2 class="a-title" ...${common}>${node.text}</h2>`;
      case 'text':
        return html`<p class=${`a-text ${node.key === 'errorMessage' ? 'a-error' : ''}`} ...${common}>
          ${node.text}
        </p>`;
      case 'input':
        return html`<input
          class="a-input"
          ...${common}
          aria-label=${node.hint ?? node.key ?? ''}
          placeholder=${node.hint ?? ''}
          value=${inputs[node.key!] ?? node.text}
          disabled=${!connected}
          onInput=${(e: Event) => setInputs({ ...inputs, [node.key!]: (e.target as HTMLInputElement).value })}
        />`;
      case 'image':
        return node.key === 'cameraPreview'
          ? html`<div
              class="a-viewfinder"
              ...${common}
              role="img"
              aria-label=${node.text || 'Camera viewfinder'}
            >
              <span class="corner tl"></span><span class="corner tr"></span><span class="corner bl"></span
              ><span class="corner br"></span>
              <span class="hint">${node.text || 'Point the camera at the QR code'}</span>
            </div>`
          : node.action
            ? html`<button
                type="button"
                class="a-image"
                ...${common}
                disabled=${!connected}
                onClick=${() => press(node.key!, null)}
                title=${`sends ${node.action}`}
              >
                ${node.text || node.key}
              </button>`
            : html`<div class="a-image" ...${common}>${node.text}</div>`;
      case 'button':
        return html`<button
          type="button"
          class=${`a-button ${node.key === 'intuneAppIcon' ? 'a-icon' : ''}`}
          ...${common}
          disabled=${!connected || !node.action}
          title=${node.action ? `sends ${node.action}` : ''}
          onClick=${() => press(node.key!, node.reads)}
        >
          ${node.text}
        </button>`;
    }
  };
  return html`<figure class="phone-wrap">
    <div
      class="phone"
      style=${{ width: `${screen.width * SCALE}px`, height: `${screen.height * SCALE}px` }}
      data-screen=${screen.screenId}
      aria-label=${`Device screen: ${screen.poweredOff ? 'off' : screen.title}`}
      role="group"
    >
      ${
        screen.poweredOff
          ? html`<div class="off">Powered off</div>`
          : html`<div class="status-bar"><span>${screen.appPackage}</span><span>100%</span></div>
              ${screen.nodes.map(drawn)}`
      }
    </div>
    <button type="button" class="power" disabled=${!connected} onClick=${() => press(POWER_BUTTON, null)}>
      Power button
    </button>
    <figcaption>
      ${screen.poweredOff ? 'Off' : html`Screen <code>${screen.screenId}</code>, state <code>${screen.state}</code>`}
      ${!connected && html`<br /><span class="muted">Not connected: what it last reported.</span>`}
    </figcaption>
    ${message && html`<p class="error" role="alert">${message}</p>`}
  </figure>`;
}

/** The Appium driver's PNG of the same screen, in its bitmap font: a fallback, on request. */
function DriverScreenshot({ serial, state }: { serial: string; state: string }) {
  const [shown, setShown] = useState(false);
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!shown) return;
    let current: string | null = null;
    apiBlob(`/console/api/devices/${encodeURIComponent(serial)}/screenshot`).then(
      (blob) => {
        current = URL.createObjectURL(blob);
        setUrl(current);
        setError(null);
      },
      (caught) => setError(caught instanceof ApiError ? caught.message : String(caught)),
    );
    return () => {
      if (current) URL.revokeObjectURL(current);
    };
  }, [shown, serial, state]);
  return html`<details
    class="driver-shot"
    onToggle=${(e: Event) => setShown((e.target as HTMLDetailsElement).open)}
  >
    <summary>The Appium driver's screenshot (PNG)</summary>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${shown && url && html`<img src=${url} alt="The Appium driver's screenshot of this screen" data-testid="driver-shot" />`}
  </details>`;
}

function targetText(
  target: Record<string, string | undefined>,
  groups: Map<string, string>,
  filters: Map<string, string>,
): string {
  const type = (target['@odata.type'] ?? '').replace('#microsoft.graph.', '');
  const group = target.groupId ? (groups.get(target.groupId) ?? target.groupId) : null;
  const base: Record<string, string> = {
    allDevicesAssignmentTarget: 'All devices',
    allLicensedUsersAssignmentTarget: 'All users',
    groupAssignmentTarget: `Group ${group}`,
    exclusionGroupAssignmentTarget: `Excluded group ${group}`,
  };
  const filter = target.deviceAndAppManagementAssignmentFilterId;
  const filterText = filter
    ? `, filter ${filters.get(filter) ?? filter} (${target.deviceAndAppManagementAssignmentFilterType ?? 'include'})`
    : '';
  return `${base[type] ?? type}${filterText}`;
}

/** One entry of a managed device's simulatorDeliveredResources: the Graph resource that reached it. */
interface DeliveredResource {
  '@odata.type': string;
  id: string;
  displayName: string;
  intent?: string;
  /** The assignments that brought it when the stage was recorded. */
  assignmentIds?: string[];
}

/** '…' until the assignments are read; none left means they were replaced since the stage was recorded. */
function broughtBy(found: { brought: string[] } | undefined): string {
  if (!found) return '…';
  return found.brought.length > 0 ? found.brought.join('; ') : 'an assignment since replaced';
}

/**
 * What the device received (its record's simulatorDeliveredResources), grouped by Graph collection,
 * each with the assignment that brought it and the resource's other assignments now.
 */
function Delivered({ resources }: { resources: DeliveredResource[] }) {
  const [assignments, setAssignments] = useState<Record<string, { brought: string[]; other: string[] }>>({});
  useLiveLoad(
    'admin',
    async () => {
      const [groups, filters] = await Promise.all([
        api<{ value: Payload[] }>('/beta/groups'),
        api<{ value: Payload[] }>('/beta/deviceManagement/assignmentFilters'),
      ]);
      const groupNames = new Map(groups.value.map((g) => [g.id, g.displayName]));
      const filterNames = new Map(filters.value.map((f) => [f.id, f.displayName]));
      const found: Record<string, { brought: string[]; other: string[] }> = {};
      for (const resource of resources) {
        const collection = collectionOfType(resource['@odata.type']);
        if (!collection) continue;
        const brought = new Set(resource.assignmentIds ?? []);
        try {
          const answer = await api<{ value: Assignment[] }>(`${collection.path}/${resource.id}/assignments`);
          const text = (a: Assignment) => targetText(a.target, groupNames, filterNames);
          found[resource.id] = {
            brought: answer.value.filter((a) => brought.has(a.id)).map(text),
            other: answer.value.filter((a) => !brought.has(a.id)).map(text),
          };
        } catch (caught) {
          // Deleted since it was delivered: the record keeps its name, Graph has no assignments for it.
          if (!(caught instanceof ApiError)) throw caught;
          found[resource.id] = { brought: [], other: ['nothing now (deleted)'] };
        }
      }
      setAssignments(found);
    },
    [resources.map((r) => r.id).join('\n')],
  );
  return html`${RESOURCE_COLLECTIONS.map((collection) => {
    const mine = resources.filter((r) => collectionOfType(r['@odata.type'])?.kind === collection.kind);
    return html`<h3>${collection.title}</h3>
      ${
        mine.length === 0
          ? html`<p class="muted">None.</p>`
          : html`<ul class="delivered" data-collection=${collection.kind}>
              ${mine.map(
                (resource) =>
                  html`<li data-resource=${resource.displayName}>
                    <b>${resource.displayName}</b>
                    <span class="muted">
                      ${resource['@odata.type'].replace('#microsoft.graph.', '')}${resource.intent ? `, ${resource.intent}` : ''};
                    </span>
                    <span class="brought">brought by ${broughtBy(assignments[resource.id])}</span>
                    ${
                      (assignments[resource.id]?.other.length ?? 0) > 0
                        ? html`<span class="muted"
                            >; also assigned to ${assignments[resource.id]!.other.join('; ')}</span
                          >`
                        : ''
                    }
                  </li>`,
              )}
            </ul>`
      }`;
  })}`;
}

export function DevicePage({ serial }: { serial: string }) {
  const [detail, setDetail] = useState<DeviceDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useLiveLoad(
    'devices',
    async () => {
      try {
        setDetail(await api<DeviceDetail>(`/console/api/devices/${encodeURIComponent(serial)}`));
        setError(null);
      } catch (caught) {
        setError(caught instanceof ApiError ? caught.message : String(caught));
      }
    },
    [serial],
  );
  if (error)
    return html`<h1>Device ${serial}</h1>
      <p class="error" role="alert">${error}</p>`;
  if (!detail) return html`<p class="loading">Loading…</p>`;
  const device = detail.managedDevice;
  const fields: Array<[string, unknown]> = device
    ? [
        ['Name', device.managedDeviceName],
        ['Device name', device.deviceName],
        ['Stage', words(String(device.simulatorEnrollmentStage))],
        ['Enrollment profile', device.enrollmentProfileName],
        ['User', device.userPrincipalName || '—'],
        ['Enrollment type', device.deviceEnrollmentType],
        ['Manufacturer, model', `${String(device.manufacturer)} ${String(device.model)}`],
        ['Android', device.osVersion],
        ['Enrolled', when(device.enrolledDateTime as string | null)],
        ['Last sync', when(device.lastSyncDateTime as string | null)],
      ]
    : [['Stage', words(detail.stage ?? 'notRecorded')]];
  return html`<h1>Device ${serial}</h1>
    <p><a href="#/devices">← All devices</a></p>
    <div class="device-page">
      ${
        detail.screen
          ? html`<div>
              <${Phone} screen=${detail.screen} serial=${serial} connected=${detail.connected} />
              <${DriverScreenshot} serial=${serial} state=${detail.screen.state} />
            </div>`
          : html`<p class="muted">This device has not reported its screen.</p>`
      }
      <section class="device-facts" aria-label="Record">
        <dl>
          ${fields.map(
            ([label, value]) =>
              html`<dt>${label}</dt>
                <dd>${String(value ?? '—')}</dd>`,
          )}
        </dl>
        <h2>Ledger</h2>
        ${
          detail.ledger.length === 0
            ? html`<p class="muted">No transitions recorded.</p>`
            : html`<ol class="timeline">
                ${detail.ledger.map(
                  (entry) =>
                    html`<li>
                      <time datetime=${entry.at}>${when(entry.at)}</time>
                      <b>${words(entry.fromStage ?? 'notRecorded')} → ${words(entry.toStage)}</b>
                      <span class="muted">by ${entry.actor}</span>
                    </li>`,
                )}
              </ol>`
        }
        <h2>Delivered</h2>
        <${Delivered}
          resources=${(device?.simulatorDeliveredResources as DeliveredResource[] | undefined) ?? []}
        />
      </section>
    </div>`;
}
