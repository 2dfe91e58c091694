import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fixedClock } from '../clock';
import { startBackend, type RunningBackend } from '../server';
import { GraphTestClient, createProfile, type Json } from '../testing/graphTestClient';
import { expectGraphCollection, expectGraphShape } from '../testing/graphTypes';
import { RawChannel } from '../testing/rawChannel';
import { localCaTls } from '../tls/serverTls';

/**
 * Microsoft's Graph JavaScript client (@microsoft/microsoft-graph-client) runs the script of the README
 * against the backend over HTTPS, as a user would: its own process, the local CA trusted through
 * NODE_EXTRA_CA_CERTS, only the base URL changed. The devices it pages through enrolled over wss://.
 */
const SCRIPT = join(__dirname, 'graphClientScript.mjs');
const ROOT = resolve(__dirname, '../../..');
const DEVICES = 250;

let dir: string;
let backend: RunningBackend;
let caPath: string;
let report: Json;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagesim-sdk-'));
  const tls = localCaTls(dir, '127.0.0.1');
  caPath = tls.caPath!;
  const ca = readFileSync(caPath, 'utf8');
  const clock = fixedClock('2024-06-22T04:20:00Z');
  backend = await startBackend({ tls, clock });
  expect(backend.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(backend.channelUrl).toMatch(/^wss:\/\//);

  const admin = GraphTestClient.for(backend, undefined, ca);
  const profile = await createProfile(admin, { displayName: 'Seeded over HTTPS' });
  const channel = await RawChannel.open(backend.channelUrl, { ca });
  for (let i = 0; i < DEVICES; i += 1) {
    await channel.hello(`SDK${String(i).padStart(4, '0')}`);
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    const staged = await channel.request({ type: 'completeStage', stage: 'staged' });
    expect(staged.type).toBe('stageRecorded');
    clock.advance(60_000); // one device a minute: enrolledDateTime tells them apart
  }
  await channel.close();

  const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath, STAGESIM_URL: backend.url, STAGESIM_ADMIN_KEY: '' },
    maxBuffer: 16 * 1024 * 1024,
  });
  report = JSON.parse(stdout);
});
afterAll(async () => {
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the official Graph client against the backend over HTTPS', () => {
  it('is refused by a client that does not trust the local CA (the certificate is really checked)', async () => {
    const failure = await new Promise<NodeJS.ErrnoException>((done) =>
      get(`${backend.url}/simulator/health`, () => done(new Error('connected'))).on('error', done),
    );
    expect(failure.code).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
    );
  });

  it('creates a profile, replaces its token with createToken and reads it back', () => {
    const { created, read } = report.profile;
    expectGraphShape(created, 'AndroidDeviceOwnerEnrollmentProfile');
    expect(created).toMatchObject({
      '@odata.context': `${backend.url}/beta/$metadata#deviceManagement/androidDeviceOwnerEnrollmentProfiles/$entity`,
      displayName: 'Frontline staging (SDK)',
      enrollmentTokenType: 'deviceStaging',
      isTeamsDeviceProfile: false,
      configureWifi: true,
    });
    expectGraphShape(read, 'AndroidDeviceOwnerEnrollmentProfile');
    expect(read.tokenValue).toMatch(/^[A-HJ-NP-Z2-9]{20}$/);
    expect(read.tokenValue).not.toBe(created.tokenValue);
    // createToken at 04:20 + 250 minutes, valid 30 days.
    expect(read.tokenExpirationDateTime).toBe('2024-07-22T08:30:00.000Z');
    expect(Object.keys(read).sort()).toEqual(
      ['@odata.context', '@odata.type', 'id', 'tokenExpirationDateTime', 'tokenValue'].sort(),
    );
  });

  it('takes a GET-then-PATCH round trip with every read-only field sent back', () => {
    expectGraphShape(report.patched, 'AndroidDeviceOwnerEnrollmentProfile');
    expect(report.patched.description).toBe('edited by the SDK');
  });

  it('pages through every managed device with PageIterator over https nextLinks', () => {
    expect(report.paged.firstPageSize).toBe(100);
    expect(report.paged.serialNumbers).toEqual(
      Array.from({ length: DEVICES }, (_, i) => `SDK${String(i).padStart(4, '0')}`),
    );
  });

  it('answers $select, $filter with a date, $orderby, $count and $top', () => {
    const body = report.query;
    expectGraphCollection(body, 'ManagedDevice');
    // Devices 40..249 enrolled at or after 05:00; the newest five first.
    expect(body['@odata.count']).toBe(210);
    expect(body.value.map((d: { serialNumber: string }) => d.serialNumber)).toEqual([
      'SDK0249',
      'SDK0248',
      'SDK0247',
      'SDK0246',
      'SDK0245',
    ]);
    expect(Object.keys(body.value[0]).sort()).toEqual(
      ['@odata.type', 'deviceName', 'enrolledDateTime', 'id', 'serialNumber'].sort(),
    );
    expect(body['@odata.context']).toBe(
      `${backend.url}/beta/$metadata#deviceManagement/managedDevices(id,deviceName,serialNumber,enrolledDateTime)`,
    );
    expect(new URL(body['@odata.nextLink']).protocol).toBe('https:');
  });

  it('revokes the token', () => {
    expect(report.revoked.tokenValue).toBeNull();
  });

  it('gets GraphError with Graph’s status codes and error codes', () => {
    expect(report.errors).toEqual([
      {
        statusCode: 400,
        code: 'BadRequest',
        message:
          "The query specified in the URI is not valid. Query option 'OrderBy' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.",
      },
      {
        statusCode: 400,
        code: 'BadRequest',
        message: "Could not find a property named 'colour' on type 'microsoft.graph.managedDevice'.",
      },
      {
        statusCode: 400,
        code: 'BadRequest',
        message:
          "The property 'colour' does not exist on type 'microsoft.graph.androidDeviceOwnerEnrollmentProfile'. Make sure to only use property names that are defined by the type or mark the type as open type.",
      },
      {
        statusCode: 404,
        code: 'ResourceNotFound',
        message: 'no managedDevice with id 00000000-0000-0000-0000-000000000000',
      },
    ]);
  });

  it('is the script the backend README shows', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(SCRIPT, 'utf8').trim());
  });
});
