/**
 * The console's one way to the backend: the public admin API and the console routes, with the admin
 * key (when the backend has one) in the Authorization header. The key lives in sessionStorage only:
 * never in a URL, never written to the console or a log, gone when the tab closes.
 */

const KEY_STORAGE = 'stagesim.adminKey';

export function adminKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setAdminKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}

/** An answer in Graph's error shape, kept whole so a page can show the message where it belongs. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type KeyListener = () => void;
const keyListeners = new Set<KeyListener>();
/** Called when the backend refuses the key (or wants one): the app shows the key form. */
export function onKeyNeeded(listener: KeyListener): () => void {
  keyListeners.add(listener);
  return () => keyListeners.delete(listener);
}

function headers(json: boolean): Record<string, string> {
  const result: Record<string, string> = { accept: 'application/json' };
  const key = adminKey();
  if (key) result.authorization = `Bearer ${key}`;
  if (json) result['content-type'] = 'application/json';
  return result;
}

export async function api<T = unknown>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: headers(init.body !== undefined),
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cache: 'no-store',
  });
  if (response.status === 204) return null as T;
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(
      response.status,
      'NotJson',
      `the backend answered ${response.status} with something that is not JSON`,
    );
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    if (response.status === 401) keyListeners.forEach((listener) => listener());
    throw new ApiError(response.status, error?.code ?? 'Error', error?.message ?? `HTTP ${response.status}`);
  }
  return json as T;
}

/** A binary answer (the driver's PNG screenshot) as a blob, with the same key and errors as api(). */
export async function apiBlob(path: string): Promise<Blob> {
  const response = await fetch(path, {
    headers: { ...headers(false), accept: 'image/png' },
    cache: 'no-store',
  });
  if (response.status === 401) keyListeners.forEach((listener) => listener());
  if (!response.ok)
    throw new ApiError(response.status, 'Error', `HTTP ${response.status} for the screenshot`);
  return response.blob();
}

export interface Session {
  adminKeyRequired: boolean;
}

export const session = () => api<Session>('/console/session');

export type ChangeKind = 'devices' | 'admin';

/**
 * The change feed (server-sent events) read with fetch, so the key travels in a header as everywhere
 * else (EventSource cannot send one). Reconnects after a pause when the stream ends.
 */
export function subscribeChanges(
  onChange: (kind: ChangeKind) => void,
  onStatus: (live: boolean) => void,
): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch('/console/api/events', {
          headers: { ...headers(false), accept: 'text/event-stream' },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (response.status === 401) keyListeners.forEach((listener) => listener());
        if (!response.ok || !response.body) throw new Error(`event feed: HTTP ${response.status}`);
        onStatus(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (\w+)$/m.exec(block)?.[1];
            if (event === 'devices' || event === 'admin') onChange(event);
          }
        }
      } catch {
        // Aborted, or the backend went away: say so and try again shortly.
      }
      onStatus(false);
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
