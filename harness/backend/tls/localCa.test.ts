import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { DeviceChannelClient } from '../../../agent/channel/DeviceChannelClient';
import { isStagesimError } from '../../../agent/errors';
import { startBackend } from '../server';
import { ensureLocalCa, issueServerCertificate } from './localCa';
import { localCaTls, serverNames, userTls } from './serverTls';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagesim-ca-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isStagesimError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
};

describe('the local CA', () => {
  it('is made once and kept: the second start finds the same CA, its key readable by the owner only', () => {
    const first = ensureLocalCa(dir);
    const again = ensureLocalCa(dir);
    expect(again.certPem).toBe(first.certPem);
    expect(first.certPath).toBe(join(dir, 'ca.pem'));
    expect(statSync(join(dir, 'ca-key.pem')).mode & 0o077).toBe(0);
    const ca = new X509Certificate(first.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=stagesim local CA');
  });

  it('signs server certificates for loopback, the machine name and the host, which verify against it', () => {
    const ca = ensureLocalCa(dir);
    const server = new X509Certificate(issueServerCertificate(ca, serverNames('192.0.2.7')).certPem);
    const authority = new X509Certificate(ca.certPem);
    expect(server.checkIssued(authority)).toBe(true);
    expect(server.verify(authority.publicKey)).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.subjectAltName).toContain('IP Address:192.0.2.7');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('reports a damaged CA in one line rather than replacing it', () => {
    ensureLocalCa(dir);
    writeFileSync(join(dir, 'ca-key.pem'), 'not a key');
    expect(codeOf(() => ensureLocalCa(dir))).toMatch(
      /^TLS_CA_INVALID: the local CA in .* cannot be used \(.*\); move ca\.pem and ca-key\.pem away to make a new one$/,
    );
  });

  it('takes a user’s certificate and key only when they belong together', () => {
    const ca = ensureLocalCa(dir);
    const one = issueServerCertificate(ca, ['localhost']);
    const other = issueServerCertificate(ca, ['localhost']);
    writeFileSync(join(dir, 'cert.pem'), one.certPem);
    writeFileSync(join(dir, 'key.pem'), one.keyPem);
    writeFileSync(join(dir, 'other-key.pem'), other.keyPem);
    expect(userTls(join(dir, 'cert.pem'), join(dir, 'key.pem'))).toEqual({
      cert: one.certPem,
      key: one.keyPem,
    });
    expect(codeOf(() => userTls(join(dir, 'cert.pem'), join(dir, 'other-key.pem')))).toMatch(
      /^TLS_CERT_INVALID: .*cert\.pem and .*other-key\.pem: the key does not belong to the certificate$/,
    );
    expect(codeOf(() => userTls(join(dir, 'key.pem'), join(dir, 'key.pem')))).toMatch(
      /^TLS_CERT_INVALID: .*not a PEM certificate/,
    );
    expect(codeOf(() => userTls(join(dir, 'missing.pem'), join(dir, 'key.pem')))).toMatch(
      /^TLS_CERT_INVALID: cannot read the certificate .*missing\.pem/,
    );
  });
});

describe('a backend with TLS', () => {
  it('serves the admin API over HTTPS and the device channel over WSS to clients that trust the CA', async () => {
    const tls = localCaTls(dir, '127.0.0.1');
    const ca = readFileSync(tls.caPath!, 'utf8');
    const backend = await startBackend({ tls });
    try {
      const health = await new Promise<string>((done, fail) =>
        request(`${backend.url}/simulator/health`, { ca: [...rootCertificates, ca] }, (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => done(text));
        })
          .on('error', fail)
          .end(),
      );
      expect(JSON.parse(health)).toEqual({ status: 'ok' });

      const device = new DeviceChannelClient({ url: backend.url, ca });
      try {
        const hello = await device.hello({
          serialNumber: 'TLS001',
          manufacturer: 'Google',
          model: 'Pixel 8',
          osVersion: '14',
        });
        expect(hello).toBeNull(); // answered over wss: a device that never redeemed a token
      } finally {
        await device.close();
      }
      // Without the CA the channel is refused: the certificate is checked.
      const untrusting = new DeviceChannelClient({
        url: backend.url,
        retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      });
      await expect(
        untrusting.hello({
          serialNumber: 'TLS002',
          manufacturer: 'Google',
          model: 'Pixel 8',
          osVersion: '14',
        }),
      ).rejects.toMatchObject({ code: 'NETWORK_UNAVAILABLE' });
      await untrusting.close();
    } finally {
      await backend.close();
    }
  });
});
