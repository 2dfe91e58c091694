import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { when, words } from '../format';
import { useLiveLoad } from '../live';

/** Graph's androidDeviceOwnerEnrollmentProfile, the fields the console shows. */
interface Profile {
  id: string;
  displayName: string;
  description: string | null;
  enrollmentMode: string;
  enrollmentTokenType: string;
  tokenValue: string | null;
  tokenCreationDateTime: string | null;
  tokenExpirationDateTime: string | null;
  enrolledDeviceCount: number;
  enrollmentTokenUsageCount: number;
  qrCodeContent: string | null;
  qrCodeImage: { type: string; value: string } | null;
  simulatorTokenState: string | null;
}

const PROFILES = '/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles';
const MODES = [
  'corporateOwnedFullyManaged',
  'corporateOwnedWorkProfile',
  'corporateOwnedDedicatedDevice',
  'corporateOwnedAOSPUserlessDevice',
  'corporateOwnedAOSPUserAssociatedDevice',
];
const TOKEN_TYPES = ['deviceStaging', 'default', 'corporateOwnedDedicatedDeviceWithAzureADSharedMode'];
const EXPORTS = [
  ['zeroTouch', 'Zero-touch JSON'],
  ['knoxMobileEnrollment', 'Knox Mobile Enrollment JSON'],
] as const;

const message = (caught: unknown) => (caught instanceof ApiError ? caught.message : String(caught));

/** When a token made now with `days` of validity expires, by the backend's clock. */
async function expiryIn(days: number): Promise<string> {
  const clock = await api<{ now: string }>('/simulator/clock');
  return new Date(Date.parse(clock.now) + days * 86_400_000).toISOString();
}

/**
 * The PNG has 8 pixels a module; shown at half size (or whole, "Larger") every module stays a whole
 * number of pixels, so the code is as sharp on screen as the file and a phone camera reads it.
 */
function sizeQr(img: HTMLImageElement, large: boolean): void {
  if (img.naturalWidth > 0) img.style.width = `${large ? img.naturalWidth : img.naturalWidth / 2}px`;
}

function CreateForm({ onCreated }: { onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [mode, setMode] = useState(MODES[0]!);
  const [tokenType, setTokenType] = useState('deviceStaging');
  const [days, setDays] = useState('90');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const body: Record<string, unknown> = {
        displayName: name,
        enrollmentMode: mode,
        enrollmentTokenType: tokenType,
      };
      if (days.trim() !== '') body.tokenExpirationDateTime = await expiryIn(Number(days));
      const created = await api<Profile>(PROFILES, { method: 'POST', body });
      setName('');
      setError(null);
      onCreated(created.id);
    } catch (caught) {
      setError(message(caught));
    }
  };
  return html`<form class="card create" onSubmit=${submit} aria-labelledby="create-profile">
    <h2 id="create-profile">Create profile</h2>
    <label
      >Name
      <input
        required
        value=${name}
        onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)}
        name="displayName"
    /></label>
    <label
      >Enrollment mode
      <select
        value=${mode}
        onChange=${(e: Event) => setMode((e.target as HTMLSelectElement).value)}
        name="enrollmentMode"
      >
        ${MODES.map((m) => html`<option value=${m}>${words(m)}</option>`)}
      </select></label
    >
    <label
      >Token type
      <select
        value=${tokenType}
        onChange=${(e: Event) => setTokenType((e.target as HTMLSelectElement).value)}
        name="enrollmentTokenType"
      >
        ${TOKEN_TYPES.map((t) => html`<option value=${t}>${words(t)}</option>`)}
      </select></label
    >
    <label
      >Token valid for (days)
      <input
        type="number"
        min="1"
        step="1"
        value=${days}
        name="validityDays"
        onInput=${(e: Event) => setDays((e.target as HTMLInputElement).value)}
    /></label>

    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit">Create</button>
  </form>`;
}

function ProfileDetail({ id, onGone }: { id: string; onGone: () => void }) {
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [days, setDays] = useState('90');
  const [large, setLarge] = useState(false);
  const load = async () => {
    try {
      // qrCodeImage is rendered only when selected, as Graph does.
      setProfile(
        await api<Profile>(
          `${PROFILES}/${id}?$select=id,displayName,description,enrollmentMode,enrollmentTokenType,tokenValue,tokenCreationDateTime,tokenExpirationDateTime,enrolledDeviceCount,enrollmentTokenUsageCount,qrCodeContent,qrCodeImage,simulatorTokenState`,
        ),
      );
      setError(null);
    } catch (caught) {
      setError(message(caught));
    }
  };
  useLiveLoad('admin', load, [id]);
  const act = async (what: string, call: () => Promise<unknown>) => {
    try {
      await call();
      setNotice(what);
      setError(null);
      await load();
    } catch (caught) {
      setError(message(caught));
    }
  };
  const exportJson = async (kind: string, how: 'copy' | 'download') => {
    try {
      const json = await api(`/simulator/enrollmentProfiles/${id}/tokenExport/${kind}`);
      const text = JSON.stringify(json, null, 2);
      if (how === 'copy') {
        await navigator.clipboard.writeText(text);
        setNotice('Copied to the clipboard.');
      } else {
        const link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
        link.download = `${profile?.displayName ?? id}-${kind}.json`;
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 1000);
        setNotice('Downloaded.');
      }
      setError(null);
    } catch (caught) {
      setError(message(caught));
    }
  };
  if (!profile)
    return error ? html`<p class="error" role="alert">${error}</p>` : html`<p class="loading">Loading…</p>`;
  const image = profile.qrCodeImage;
  return html`<section class="card profile" aria-labelledby="profile-title" data-profile=${profile.id}>
    <h2 id="profile-title">${profile.displayName}</h2>
    <dl>
      <dt>Mode</dt>
      <dd>${words(profile.enrollmentMode)}</dd>
      <dt>Token type</dt>
      <dd>${words(profile.enrollmentTokenType)}</dd>
      <dt>Token</dt>
      <dd>
        <code class="token" data-testid="token">${profile.tokenValue ?? '—'}</code>
        <span class=${`pill ${profile.simulatorTokenState ?? ''}`}
          >${profile.simulatorTokenState ?? 'no token'}</span
        >
      </dd>
      <dt>Created</dt>
      <dd>${when(profile.tokenCreationDateTime)}</dd>
      <dt>${profile.simulatorTokenState === 'revoked' ? 'Revoked' : 'Expires'}</dt>
      <dd data-testid="expiry">${when(profile.tokenExpirationDateTime)}</dd>
      <dt>Enrolled devices</dt>
      <dd data-testid="enrolled-count">${profile.enrolledDeviceCount}</dd>
      <dt>Token used</dt>
      <dd>${profile.enrollmentTokenUsageCount} times</dd>
    </dl>
    ${
      image
        ? html`<figure class=${`qr ${large ? 'large' : ''}`}>
            <img
              src=${`data:${image.type};base64,${image.value}`}
              alt=${`QR code of the token of ${profile.displayName}`}
              data-testid="qr"
              onLoad=${(event: Event) => sizeQr(event.target as HTMLImageElement, large)}
              ref=${(img: HTMLImageElement | null) => img?.complete && sizeQr(img, large)}
            />
            <figcaption>
              <button type="button" onClick=${() => setLarge(!large)}>${large ? 'Smaller' : 'Larger'}</button>
            </figcaption>
          </figure>`
        : html`<p class="muted">No usable token, so no QR code. Replace the token to make a new one.</p>`
    }
    <div class="actions">
      <label
        >Valid for (days)
        <input
          type="number"
          min="1"
          step="1"
          value=${days}
          onInput=${(e: Event) => setDays((e.target as HTMLInputElement).value)}
      /></label>
      <button
        type="button"
        onClick=${() => act('Token replaced.', () => api(`${PROFILES}/${id}/createToken`, { method: 'POST', body: { tokenValidityInSeconds: Math.round(Number(days) * 86_400) } }))}
      >
        Replace token
      </button>
      <button
        type="button"
        class="danger"
        disabled=${profile.simulatorTokenState !== 'active'}
        onClick=${() => act('Token revoked.', () => api(`${PROFILES}/${id}/revokeToken`, { method: 'POST' }))}
      >
        Revoke token
      </button>
      <button
        type="button"
        class="danger"
        onClick=${() =>
          act('Profile deleted.', async () => {
            await api(`${PROFILES}/${id}`, { method: 'DELETE' });
            onGone();
          })}
      >
        Delete profile
      </button>
    </div>
    <div class="actions">
      ${EXPORTS.map(
        ([kind, label]) =>
          html`<span class="export"
            >${label}:
            <button type="button" disabled=${!profile.tokenValue} onClick=${() => exportJson(kind, 'copy')}>
              Copy
            </button>
            <button
              type="button"
              disabled=${!profile.tokenValue}
              onClick=${() => exportJson(kind, 'download')}
            >
              Download
            </button></span
          >`,
      )}
    </div>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </section>`;
}

export function ProfilesPage({ selected }: { selected: string | null }) {
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [error, setError] = useState<string | null>(null);
  useLiveLoad(
    'admin',
    async () => {
      try {
        setProfiles((await api<{ value: Profile[] }>(PROFILES)).value);
        setError(null);
      } catch (caught) {
        setError(message(caught));
      }
    },
    [],
  );
  const open = (id: string | null) => (location.hash = id ? `#/profiles/${id}` : '#/profiles');
  return html`<h1>Enrollment profiles</h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Mode</th>
            <th scope="col">Token type</th>
            <th scope="col">Token</th>
            <th scope="col">Expires</th>
            <th scope="col">Enrolled devices</th>
          </tr>
        </thead>
        <tbody>
          ${profiles.map(
            (p) =>
              html`<tr aria-selected=${p.id === selected ? 'true' : undefined}>
                <td><a href=${`#/profiles/${p.id}`}>${p.displayName}</a></td>
                <td>${words(p.enrollmentMode)}</td>
                <td>${words(p.enrollmentTokenType)}</td>
                <td>${p.simulatorTokenState ?? '—'}</td>
                <td>${when(p.tokenExpirationDateTime)}</td>
                <td>${p.enrolledDeviceCount}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <div class="columns">
      <${CreateForm} onCreated=${open} />
      ${selected && html`<${ProfileDetail} id=${selected} onGone=${() => open(null)} />`}
    </div>`;
}
