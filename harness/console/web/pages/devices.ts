import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { when, words } from '../format';
import { useLiveLoad } from '../live';
// One row of the backend's devices report, as the backend builds it (a type only: nothing of it is bundled).
import type { DeviceRow } from '../../../backend/console/deviceRow';

export type { DeviceRow };

export interface DevicePage {
  total: number;
  offset: number;
  value: DeviceRow[];
  profiles: string[];
}

const STAGES = ['tokenCreated', 'staged', 'adminProvisioned', 'enrolled', 'factoryReset', 'notRecorded'];
const COLUMNS = [
  ['name', 'Name'],
  ['stage', 'Stage'],
  [null, 'On screen'],
  ['profile', 'Enrollment profile'],
  ['user', 'User'],
  ['mode', 'Mode'],
  ['lastTransition', 'Last transition'],
  [null, 'Delivered'],
] as const;
const PAGE_SIZE = 50;

export function deviceQuery(params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') query.set(key, String(value));
  return `/console/api/devices?${query.toString()}`;
}

export function DeviceTable({ rows }: { rows: DeviceRow[] }) {
  return html`${rows.map(
    (row) =>
      html`<tr data-serial=${row.serialNumber}>
        <td class="name" title=${row.name}>
          <a href=${`#/devices/${encodeURIComponent(row.serialNumber)}`}>${row.name}</a>
        </td>
        <td><span class=${`stage ${row.stage}`}>${words(row.stage)}</span></td>
        <td title=${row.modelState ?? ''}>${row.screenTitle ?? (row.modelState ? '(off)' : '—')}</td>
        <td>${row.profile ?? '—'}</td>
        <td>${row.user ?? '—'}</td>
        <td>${words(row.mode)}</td>
        <td>${when(row.lastTransition)}</td>
        <td>${[...row.delivered.policies, ...row.delivered.apps].join(', ') || '—'}</td>
      </tr>`,
  )}`;
}

export function DevicesPage() {
  const [search, setSearch] = useState('');
  const [stage, setStage] = useState('');
  const [profile, setProfile] = useState('');
  const [sort, setSort] = useState('lastTransition');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<DevicePage | null>(null);
  const [error, setError] = useState<string | null>(null);

  useLiveLoad(
    'devices',
    async () => {
      try {
        setPage(
          await api<DevicePage>(
            deviceQuery({ search, stage, profile, sort, order, offset, limit: PAGE_SIZE }),
          ),
        );
        setError(null);
      } catch (caught) {
        setError(caught instanceof ApiError ? caught.message : String(caught));
      }
    },
    [search, stage, profile, sort, order, offset],
  );

  const sortBy = (column: string) => {
    if (sort === column) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(column);
      setOrder(column === 'lastTransition' ? 'desc' : 'asc');
    }
    setOffset(0);
  };
  const total = page?.total ?? 0;
  return html`<h1>All devices</h1>
    <form class="toolbar" role="search" onSubmit=${(e: Event) => e.preventDefault()}>
      <label
        >Search
        <input
          type="search"
          value=${search}
          placeholder="Name, serial, user, profile"
          onInput=${(e: Event) => {
            setSearch((e.target as HTMLInputElement).value);
            setOffset(0);
          }}
      /></label>
      <label
        >Stage
        <select
          value=${stage}
          onChange=${(e: Event) => {
            setStage((e.target as HTMLSelectElement).value);
            setOffset(0);
          }}
        >
          <option value="">Any</option>
          ${STAGES.map((s) => html`<option value=${s}>${words(s)}</option>`)}
        </select></label
      >
      <label
        >Enrollment profile
        <select
          value=${profile}
          onChange=${(e: Event) => {
            setProfile((e.target as HTMLSelectElement).value);
            setOffset(0);
          }}
        >
          <option value="">Any</option>
          ${(page?.profiles ?? []).map((name) => html`<option value=${name}>${name}</option>`)}
        </select></label
      >
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <p class="count" aria-live="polite" data-testid="device-total">
      ${total} device${total === 1 ? '' : 's'}
    </p>
    <div class="table-wrap">
      <table class="devices">
        <thead>
          <tr>
            ${COLUMNS.map(([key, label]) =>
              key === null
                ? html`<th scope="col">${label}</th>`
                : html`<th
                    scope="col"
                    aria-sort=${sort === key ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}
                  >
                    <button type="button" class="sort" onClick=${() => sortBy(key)}>
                      ${label}${sort === key ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
                    </button>
                  </th>`,
            )}
          </tr>
        </thead>
        <tbody>
          <${DeviceTable} rows=${page?.value ?? []} />
        </tbody>
      </table>
    </div>
    <nav class="pager" aria-label="Pages">
      <button
        type="button"
        disabled=${offset === 0}
        onClick=${() => setOffset(Math.max(0, offset - PAGE_SIZE))}
      >
        Previous
      </button>
      <span>${total === 0 ? '0' : `${offset + 1}–${Math.min(total, offset + PAGE_SIZE)}`} of ${total}</span>
      <button
        type="button"
        disabled=${offset + PAGE_SIZE >= total}
        onClick=${() => setOffset(offset + PAGE_SIZE)}
      >
        Next
      </button>
    </nav>`;
}
