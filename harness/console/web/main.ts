import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { adminKey, api, onKeyNeeded, session, setAdminKey, ApiError } from './api';
import { startLive, useLiveStatus } from './live';
import { DevicePage } from './pages/device';
import { DevicesPage } from './pages/devices';
import { ModelPage } from './pages/model';
import { ProfilesPage } from './pages/profiles';
import { TargetingPage } from './pages/targeting';

/**
 * The stagesim admin console: one page, hash routes (#/devices, #/devices/SERIAL, #/profiles,
 * #/targeting, #/model), so a link or a reload lands on the same view and nothing but the fragment
 * changes in the address.
 */

const NAV = [
  ['devices', 'All devices'],
  ['profiles', 'Enrollment profiles'],
  ['targeting', 'Filters, groups, policies and apps'],
  ['model', 'Device model'],
] as const;

function useRoute(): string[] {
  const parse = () => (location.hash.replace(/^#\/?/, '') || 'devices').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onHash = () => setRoute(parse());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

function KeyForm({ onDone, wrong }: { onDone: () => void; wrong: boolean }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(wrong ? 'The backend refused that key.' : null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setAdminKey(value);
    try {
      await api('/console/api/model/counts');
      onDone();
    } catch (caught) {
      setAdminKey(null);
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  };
  return html`<main class="key-form">
    <form onSubmit=${submit} aria-labelledby="key-title">
      <h1 id="key-title">This backend needs its admin key</h1>
      <p>The key stays in this tab (session storage) and goes to the backend in a header only.</p>
      <label for="admin-key">Admin key</label>
      <input
        id="admin-key"
        type="password"
        autocomplete="off"
        required
        minlength="1"
        value=${value}
        onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)}
        autofocus
      />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit">Open the console</button>
    </form>
  </main>`;
}

function App() {
  const route = useRoute();
  const [ready, setReady] = useState<'checking' | 'key' | 'wrongKey' | 'ready'>('checking');
  const live = useLiveStatus();

  useEffect(() => {
    void session().then(
      (answer) => setReady(answer.adminKeyRequired && !adminKey() ? 'key' : 'ready'),
      () => setReady('ready'),
    );
    return onKeyNeeded(() => {
      setAdminKey(null);
      setReady('wrongKey');
    });
  }, []);
  useEffect(() => {
    if (ready === 'ready') startLive();
  }, [ready]);

  if (ready === 'checking') return html`<p class="loading">Loading…</p>`;
  if (ready === 'key' || ready === 'wrongKey')
    return html`<${KeyForm} wrong=${ready === 'wrongKey'} onDone=${() => setReady('ready')} />`;

  const [page, ...rest] = route;
  let body;
  switch (page) {
    case 'profiles':
      body = html`<${ProfilesPage} selected=${rest[0] ?? null} />`;
      break;
    case 'targeting':
      body = html`<${TargetingPage} />`;
      break;
    case 'model':
      body = html`<${ModelPage} />`;
      break;
    default:
      body = rest[0] ? html`<${DevicePage} serial=${rest[0]} />` : html`<${DevicesPage} />`;
  }
  const current = page && NAV.some(([id]) => id === page) ? page : 'devices';
  return html`<a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">stagesim <small>admin console</small></span>
      <nav aria-label="Sections">
        ${NAV.map(
          ([id, label]) =>
            html`<a href=${`#/${id}`} aria-current=${id === current ? 'page' : undefined}>${label}</a>`,
        )}
      </nav>
      <span class=${`live ${live ? 'on' : 'off'}`} role="status" data-testid="live"
        >${live ? 'Live' : 'Reconnecting…'}</span
      >
    </header>
    <main id="main" tabindex="-1">${body}</main>`;
}

render(html`<${App} />`, document.getElementById('app')!);
