import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { rulePosition } from '../format';
import { useLiveLoad } from '../live';
import { RESOURCE_COLLECTIONS, type ConsoleCollection } from '../resources';

/**
 * Filters, groups, and Graph's configuration profiles, compliance policies and managed Google Play apps
 * through the public admin API, each created and assigned here.
 */

interface Named {
  id: string;
  displayName: string;
}
interface Filter extends Named {
  platform: string;
  rule: string;
}
interface Group extends Named {
  groupTypes: string[];
  membershipRule: string | null;
}
interface Assignment {
  id: string;
  intent?: string | null;
  settings?: Record<string, unknown> | null;
  target: Record<string, string | undefined>;
}

const FILTERS = '/beta/deviceManagement/assignmentFilters';
const GROUPS = '/beta/groups';
const TARGETS = [
  ['#microsoft.graph.allDevicesAssignmentTarget', 'All devices'],
  ['#microsoft.graph.allLicensedUsersAssignmentTarget', 'All users'],
  ['#microsoft.graph.groupAssignmentTarget', 'Group'],
  ['#microsoft.graph.exclusionGroupAssignmentTarget', 'Exclude group'],
] as const;

const text = (e: Event) => (e.target as HTMLInputElement).value;

/**
 * An API error about a rule, drawn under the rule with its character marked, and the field's caret put
 * there, so the admin sees where the backend stopped reading.
 */
function RuleError({ rule, error }: { rule: string; error: string }) {
  const position = rulePosition(error);
  if (position === null) return html`<p class="error" role="alert">${error}</p>`;
  const index = Math.min(Math.max(position - 1, 0), rule.length);
  return html`<div class="rule-error" role="alert">
    <pre><code>${rule.slice(0, index)}<mark data-testid="rule-error-mark">${rule.slice(index, index + 1) || ' '}</mark>${rule.slice(index + 1)}</code></pre>
    <pre aria-hidden="true">${' '.repeat(index)}^</pre>
    <p class="error">${error}</p>
  </div>`;
}

function useRuleField() {
  const ref = useRef<HTMLTextAreaElement>(null);
  const point = (error: string) => {
    const position = rulePosition(error);
    const field = ref.current;
    if (position === null || !field) return;
    field.focus();
    field.setSelectionRange(position - 1, position);
  };
  return { ref, point };
}

function Filters({ filters }: { filters: Filter[] }) {
  const [name, setName] = useState('');
  const [rule, setRule] = useState('');
  const [error, setError] = useState<{ rule: string; message: string } | null>(null);
  const field = useRuleField();
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await api(FILTERS, { method: 'POST', body: { displayName: name, platform: 'androidForWork', rule } });
      setName('');
      setRule('');
      setError(null);
    } catch (caught) {
      const message = caught instanceof ApiError ? caught.message : String(caught);
      setError({ rule, message });
      field.point(message);
    }
  };
  return html`<section class="card" aria-labelledby="filters-title">
    <h2 id="filters-title">Assignment filters</h2>
    <ul class="plain">
      ${filters.map((f) => html`<li><b>${f.displayName}</b> <code>${f.rule}</code></li>`)}
    </ul>
    <form onSubmit=${submit}>
      <label
        >Name <input required value=${name} onInput=${(e: Event) => setName(text(e))} name="filterName"
      /></label>
      <label
        >Rule
        <textarea
          ref=${field.ref}
          required
          rows="2"
          value=${rule}
          name="filterRule"
          placeholder='(device.enrollmentProfileName -eq "Frontline staging")'
          onInput=${(e: Event) => setRule(text(e))}
        ></textarea>
      </label>
      ${error && html`<${RuleError} rule=${error.rule} error=${error.message} />`}
      <button type="submit">Create filter</button>
    </form>
  </section>`;
}

function Groups({ groups }: { groups: Group[] }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'dynamic' | 'users'>('dynamic');
  const [rule, setRule] = useState('');
  const [members, setMembers] = useState('');
  const [error, setError] = useState<{ rule: string; message: string } | null>(null);
  const field = useRuleField();
  const submit = async (event: Event) => {
    event.preventDefault();
    const common = {
      displayName: name,
      mailEnabled: false,
      mailNickname: name.replace(/[^A-Za-z0-9]/g, '').slice(0, 64) || 'group',
      securityEnabled: true,
    };
    const body =
      kind === 'dynamic'
        ? {
            ...common,
            groupTypes: ['DynamicMembership'],
            membershipRule: rule,
            membershipRuleProcessingState: 'On',
          }
        : {
            ...common,
            'members@odata.bind': members
              .split(/[\s,]+/)
              .filter(Boolean)
              .map((upn) => `https://graph.microsoft.com/v1.0/users/${upn}`),
          };
    try {
      await api(GROUPS, { method: 'POST', body });
      setName('');
      setRule('');
      setMembers('');
      setError(null);
    } catch (caught) {
      const message = caught instanceof ApiError ? caught.message : String(caught);
      setError({ rule, message });
      if (kind === 'dynamic') field.point(message);
    }
  };
  return html`<section class="card" aria-labelledby="groups-title">
    <h2 id="groups-title">Groups</h2>
    <ul class="plain">
      ${groups.map(
        (g) =>
          html`<li>
            <b>${g.displayName}</b>
            ${g.membershipRule ? html`<code>${g.membershipRule}</code>` : html`<span class="muted">users</span>`}
          </li>`,
      )}
    </ul>
    <form onSubmit=${submit}>
      <label
        >Name <input required value=${name} onInput=${(e: Event) => setName(text(e))} name="groupName"
      /></label>
      <fieldset>
        <legend>Members</legend>
        <label
          ><input
            type="radio"
            name="groupKind"
            checked=${kind === 'dynamic'}
            onChange=${() => setKind('dynamic')}
          />
          Dynamic devices (rule)</label
        >
        <label
          ><input
            type="radio"
            name="groupKind"
            checked=${kind === 'users'}
            onChange=${() => setKind('users')}
          />
          Users</label
        >
      </fieldset>
      ${
        kind === 'dynamic'
          ? html`<label
              >Membership rule
              <textarea
                ref=${field.ref}
                required
                rows="2"
                value=${rule}
                name="groupRule"
                placeholder='(device.deviceManufacturer -eq "Samsung")'
                onInput=${(e: Event) => setRule(text(e))}
              ></textarea>
            </label>`
          : html`<label
              >Users (UPNs)
              <input
                value=${members}
                placeholder="john@contoso.com, jane@contoso.com"
                onInput=${(e: Event) => setMembers(text(e))}
            /></label>`
      }
      ${error && html`<${RuleError} rule=${error.rule} error=${error.message} />`}
      <button type="submit">Create group</button>
    </form>
  </section>`;
}

function targetLabel(target: Record<string, string | undefined>, groups: Group[], filters: Filter[]): string {
  const type = TARGETS.find(([t]) => t === target['@odata.type'])?.[1] ?? target['@odata.type'] ?? '?';
  const group = target.groupId
    ? ` ${groups.find((g) => g.id === target.groupId)?.displayName ?? target.groupId}`
    : '';
  const filterId = target.deviceAndAppManagementAssignmentFilterId;
  const filter = filterId
    ? `, ${target.deviceAndAppManagementAssignmentFilterType ?? 'include'} filter ${filters.find((f) => f.id === filterId)?.displayName ?? filterId}`
    : '';
  return `${type}${group}${filter}`;
}

interface Resource extends Named {
  '@odata.type': string;
  packageId?: string;
  assignments: Assignment[];
}

/**
 * One Graph collection of what a device receives (resources.ts): created with the subtype's @odata.type
 * the backend requires (a managed Google Play app with its packageId), assigned with Graph's target
 * shapes, a filter included or excluded, and the intent the collection has.
 */
function Resources({
  collection,
  groups,
  filters,
}: {
  collection: ConsoleCollection;
  groups: Group[];
  filters: Filter[];
}) {
  const { kind, path, title, creates, assignBodyKey, intents } = collection;
  const isApp = kind === 'mobileApp';
  const [items, setItems] = useState<Resource[]>([]);
  const [name, setName] = useState('');
  const [packageId, setPackageId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [assigning, setAssigning] = useState<string | null>(null);
  const [target, setTarget] = useState<string>(TARGETS[0][0]);
  const [groupId, setGroupId] = useState('');
  const [filterId, setFilterId] = useState('');
  const [filterType, setFilterType] = useState('include');
  const [intent, setIntent] = useState(intents[0] ?? '');
  useLiveLoad(
    'admin',
    async () => {
      const list = await api<{ value: Resource[] }>(path);
      setItems(
        await Promise.all(
          list.value.map(async (item) => ({
            ...item,
            assignments: (await api<{ value: Assignment[] }>(`${path}/${item.id}/assignments`)).value,
          })),
        ),
      );
    },
    [path],
  );
  const create = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, string> = { '@odata.type': creates.odataType, displayName: name };
    // A managed Google Play app is its package: Intune reads both names from the store listing.
    if (isApp) Object.assign(body, { packageId, appIdentifier: packageId });
    try {
      await api(path, { method: 'POST', body });
      setName('');
      setPackageId('');
      setError(null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  };
  const needsGroup = target.includes('roupAssignmentTarget');
  const assign = async (event: Event, item: Resource) => {
    event.preventDefault();
    const next: Record<string, string> = { '@odata.type': target };
    if (needsGroup) next.groupId = groupId;
    if (filterId && !target.includes('exclusion')) {
      next.deviceAndAppManagementAssignmentFilterId = filterId;
      next.deviceAndAppManagementAssignmentFilterType = filterType;
    }
    // assign replaces every assignment of the item, so the ones it has go along, as they are.
    const kept = item.assignments.map((a) => ({
      target: a.target,
      ...(a.intent ? { intent: a.intent } : {}),
      ...(isApp ? { settings: a.settings ?? null } : {}),
    }));
    try {
      await api(`${path}/${item.id}/assign`, {
        method: 'POST',
        body: { [assignBodyKey]: [...kept, { target: next, ...(intent ? { intent } : {}) }] },
      });
      setAssigning(null);
      setError(null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  };
  return html`<section class="card" aria-labelledby=${`${kind}-title`} data-collection=${kind}>
    <h2 id=${`${kind}-title`}>${title}</h2>
    <ul class="plain">
      ${items.map(
        (item) =>
          html`<li data-resource=${item.displayName}>
            <b>${item.displayName}</b>
            <span class="muted"
              >${item.packageId ?? item['@odata.type'].replace('#microsoft.graph.', '')}</span
            >
            <ul>
              ${item.assignments.map(
                (a) =>
                  html`<li>${a.intent ? `${a.intent}: ` : ''}${targetLabel(a.target, groups, filters)}</li>`,
              )}
            </ul>
            ${
              assigning === item.id
                ? html`<form class="assign" onSubmit=${(e: Event) => assign(e, item)}>
                    <label
                      >Target
                      <select name="target" value=${target} onChange=${(e: Event) => setTarget(text(e))}>
                        ${TARGETS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
                      </select></label
                    >
                    ${
                      needsGroup &&
                      html`<label
                        >Group
                        <select
                          name="group"
                          required
                          value=${groupId}
                          onChange=${(e: Event) => setGroupId(text(e))}
                        >
                          <option value="">Choose…</option>
                          ${groups.map((g) => html`<option value=${g.id}>${g.displayName}</option>`)}
                        </select></label
                      >`
                    }
                    ${
                      !target.includes('exclusion') &&
                      html`<label
                          >Filter
                          <select
                            name="filter"
                            value=${filterId}
                            onChange=${(e: Event) => setFilterId(text(e))}
                          >
                            <option value="">None</option>
                            ${filters.map((f) => html`<option value=${f.id}>${f.displayName}</option>`)}
                          </select></label
                        >
                        <label
                          >Filter mode
                          <select
                            name="filterMode"
                            value=${filterType}
                            onChange=${(e: Event) => setFilterType(text(e))}
                          >
                            <option value="include">Include</option>
                            <option value="exclude">Exclude</option>
                          </select></label
                        >`
                    }
                    ${
                      intents.length > 0 &&
                      html`<label
                        >Intent
                        <select name="intent" value=${intent} onChange=${(e: Event) => setIntent(text(e))}>
                          ${intents.map((value) => html`<option value=${value}>${value}</option>`)}
                        </select></label
                      >`
                    }
                    <button type="submit">Assign</button>
                    <button type="button" onClick=${() => setAssigning(null)}>Cancel</button>
                  </form>`
                : html`<button type="button" onClick=${() => setAssigning(item.id)}>Add assignment</button>`
            }
          </li>`,
      )}
    </ul>
    <form onSubmit=${create}>
      <p class="muted">${creates.label}</p>
      <label
        >Name <input required name="resourceName" value=${name} onInput=${(e: Event) => setName(text(e))}
      /></label>
      ${
        isApp &&
        html`<label
          >Package
          <input
            required
            name="packageId"
            pattern="[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)+"
            placeholder="com.microsoft.teams"
            value=${packageId}
            onInput=${(e: Event) => setPackageId(text(e))}
        /></label>`
      }
      <button type="submit">Create</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </section>`;
}

export function TargetingPage() {
  const [filters, setFilters] = useState<Filter[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  useLiveLoad(
    'admin',
    async () => {
      const [f, g] = await Promise.all([api<{ value: Filter[] }>(FILTERS), api<{ value: Group[] }>(GROUPS)]);
      setFilters(f.value);
      setGroups(g.value);
    },
    [],
  );
  return html`<h1>Filters, groups, policies and apps</h1>
    <div class="grid">
      <${Filters} filters=${filters} />
      <${Groups} groups=${groups} />
      ${RESOURCE_COLLECTIONS.map(
        (collection) =>
          html`<${Resources}
            key=${collection.kind}
            collection=${collection}
            groups=${groups}
            filters=${filters}
          />`,
      )}
    </div>`;
}
