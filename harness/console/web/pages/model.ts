import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { useLiveLoad } from '../live';
import { deviceQuery, DeviceTable, type DevicePage } from './devices';

interface ModelState {
  path: string;
  title: string;
  screenId: string;
  stage: string;
  error: boolean;
}
interface ModelGraph {
  svg: string;
  states: ModelState[];
}
interface Counts {
  devices: number;
  counts: Record<string, number>;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * The device model's state graph, the same SVG the HTML report draws (the backend renders it), with a
 * badge of live device counts on every state. States are buttons: click or Enter lists their devices.
 */
export function ModelPage() {
  const [graph, setGraph] = useState<ModelGraph | null>(null);
  const [counts, setCounts] = useState<Counts | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [devices, setDevices] = useState<DevicePage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fit, setFit] = useState(false);
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api<ModelGraph>('/console/api/model').then(setGraph, (caught) =>
      setError(caught instanceof ApiError ? caught.message : String(caught)),
    );
  }, []);
  useLiveLoad(
    'devices',
    async () => {
      setCounts(await api<Counts>('/console/api/model/counts'));
      if (selected) setDevices(await api<DevicePage>(deviceQuery({ state: selected, limit: 50 })));
    },
    [selected],
  );

  // The drawing comes as markup; make its states keyboard buttons once, then keep their badges current.
  useEffect(() => {
    const root = holder.current;
    if (!root || !graph) return;
    for (const node of root.querySelectorAll<SVGGElement>('g.node.state')) {
      if (node.dataset.wired) continue;
      node.dataset.wired = '1';
      const path = node.dataset.state!;
      const title = graph.states.find((s) => s.path === path)?.title ?? '';
      node.setAttribute('tabindex', '0');
      node.setAttribute('role', 'button');
      node.setAttribute('aria-label', `${path}: ${title}`);
      node.addEventListener('click', () => setSelected(path));
      node.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          setSelected(path);
        }
      });
      const rect = node.querySelector('rect')!;
      const badge = document.createElementNS(SVG_NS, 'g');
      badge.setAttribute('class', 'count');
      const x = Number(rect.getAttribute('x')) + Number(rect.getAttribute('width'));
      const y = Number(rect.getAttribute('y'));
      const circle = document.createElementNS(SVG_NS, 'rect');
      circle.setAttribute('x', String(x - 16));
      circle.setAttribute('y', String(y - 9));
      circle.setAttribute('rx', '8');
      circle.setAttribute('height', '16');
      circle.setAttribute('width', '28');
      const label = document.createElementNS(SVG_NS, 'text');
      label.setAttribute('x', String(x - 2));
      label.setAttribute('y', String(y + 3));
      label.setAttribute('text-anchor', 'middle');
      badge.append(circle, label);
      node.append(badge);
    }
    for (const node of root.querySelectorAll<SVGGElement>('g.node.state')) {
      const count = counts?.counts[node.dataset.state!] ?? 0;
      node.classList.toggle('occupied', count > 0);
      node.classList.toggle('selected', node.dataset.state === selected);
      node.querySelector('g.count text')!.textContent = String(count);
      node.setAttribute('aria-label', `${node.dataset.state}: ${count} device${count === 1 ? '' : 's'}`);
    }
  }, [graph, counts, selected]);

  return html`<h1>Device model, live</h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <p class="count" data-testid="model-total">
      ${counts ? `${counts.devices} device${counts.devices === 1 ? '' : 's'} reporting` : 'Loading…'}
    </p>
    <p>
      <button
        type="button"
        aria-pressed=${fit ? 'true' : 'false'}
        onClick=${() => setFit(!fit)}
        data-testid="fit"
      >
        ${fit ? 'Actual size' : 'Fit to width'}
      </button>
    </p>
    <div
      class=${`graph ${fit ? 'fit' : ''}`}
      ref=${holder}
      dangerouslySetInnerHTML=${graph ? { __html: graph.svg } : undefined}
    ></div>
    ${
      selected &&
      html`<section aria-labelledby="state-devices">
        <h2 id="state-devices">Devices in <code>${selected}</code></h2>
        <p class="muted">
          ${devices ? `${devices.total} device${devices.total === 1 ? '' : 's'}${devices.total > devices.value.length ? `, the first ${devices.value.length} shown` : ''}` : 'Loading…'}
        </p>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Stage</th>
                <th scope="col">On screen</th>
                <th scope="col">Enrollment profile</th>
                <th scope="col">User</th>
                <th scope="col">Mode</th>
                <th scope="col">Last transition</th>
                <th scope="col">Delivered</th>
              </tr>
            </thead>
            <tbody>
              <${DeviceTable} rows=${devices?.value ?? []} />
            </tbody>
          </table>
        </div>
      </section>`
    }`;
}
