import { request as httpsRequest } from 'node:https';
import { trustingCa } from '../../../agent/channel/trust';
import type { RunningBackend } from '../server';

/** One HTTPS request trusting `ca` besides the system's CAs, answered as a fetch Response. */
function httpsWithCa(url: string, init: RequestInit, ca: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(
      url,
      { method: init.method, headers: init.headers as Record<string, string>, ...trustingCa(ca) },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers))
            if (typeof value === 'string') headers.set(name, value);
          const status = incoming.statusCode ?? 0;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, headers }));
        });
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body as string | undefined);
  });
}

/**
 * A JSON body as a test reads it. Tests pick fields freely and assert on them; a field that is not there
 * fails the assertion, which is the check a static type would only restate.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: tests read answers as plain JSON
export type Json = any;

export interface AdminResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A tiny Graph client for tests: real HTTP with fetch, JSON in and out, the admin key when given. */
export class GraphTestClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminKey?: string,
    /** The PEM CA an https:// backend's certificate chains to; fetch cannot take one, so node:https is used. */
    private readonly ca?: string,
  ) {}

  static for(backend: RunningBackend, adminKey?: string, ca?: string): GraphTestClient {
    return new GraphTestClient(backend.url, adminKey, ca);
  }

  async request<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<AdminResponse<T>> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (this.adminKey) (init.headers as Record<string, string>).authorization = `Bearer ${this.adminKey}`;
    if (body !== undefined) {
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = this.ca
      ? await httpsWithCa(`${this.baseUrl}${path}`, init, this.ca)
      : await fetch(`${this.baseUrl}${path}`, init);
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '' && (response.headers.get('content-type') ?? '').includes('json'))
      parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = Json>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = Json>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }
  patch<T = Json>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = Json>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

export const PROFILES = '/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles';

/** Creates a profile and answers its Graph entity; fails the test unless Graph answered 201. */
export async function createProfile(admin: GraphTestClient, body: Record<string, unknown>): Promise<Json> {
  const response = await admin.post(PROFILES, {
    displayName: 'Frontline staging',
    enrollmentMode: 'corporateOwnedFullyManaged',
    enrollmentTokenType: 'deviceStaging',
    ...body,
  });
  if (response.status !== 201)
    throw new Error(`creating a profile answered ${response.status}: ${response.text}`);
  return response.body;
}

/**
 * Creates an assignment filter (Android Enterprise unless `platform` says otherwise) and answers its
 * Graph entity; fails the test unless Graph answered 201.
 */
export async function createAssignmentFilter(
  admin: GraphTestClient,
  displayName: string,
  rule: string,
  platform = 'androidForWork',
): Promise<Json> {
  const response = await admin.post('/beta/deviceManagement/assignmentFilters', {
    displayName,
    platform,
    rule,
  });
  if (response.status !== 201)
    throw new Error(`creating an assignment filter answered ${response.status}: ${response.text}`);
  return response.body;
}

/**
 * A device restrictions policy ("Lockdown", camera blocked) assigned to all devices through the filter
 * `filterId`; answers the policy's Graph entity.
 */
export async function assignLockdownThroughFilter(admin: GraphTestClient, filterId: string): Promise<Json> {
  const policy = (
    await admin.post('/beta/deviceManagement/deviceConfigurations', {
      '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
      displayName: 'Lockdown',
      cameraBlocked: true,
    })
  ).body;
  await admin.post(`/beta/deviceManagement/deviceConfigurations/${policy.id}/assign`, {
    assignments: [
      {
        target: {
          '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
          deviceAndAppManagementAssignmentFilterId: filterId,
        },
      },
    ],
  });
  return policy;
}
