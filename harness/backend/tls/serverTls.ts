import { readFileSync } from 'node:fs';
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { StagesimError } from '../../../agent/errors';
import { backendOptionsSchema } from '../options';
import { checkUserCertificate, ensureLocalCa, issueServerCertificate } from './localCa';

/**
 * What startBackend serves TLS with: a certificate and key in PEM, and the local CA's certificate file
 * (to print for users to trust) when it is ours; backendOptionsSchema's `tls`.
 */
const backendTlsSchema = backendOptionsSchema.shape.tls.unwrap();
export type BackendTls = z.infer<typeof backendTlsSchema>;

/**
 * A backend a command starts for itself (run, model, fleet, demo with --tls or --tls-cert): what it serves
 * with, and the CA every client of the command trusts besides Node's own, passed to each one rather than
 * through the environment. `ca` is the local CA's certificate; a user's own certificate has none, so
 * clients trust it the usual way (Node's CAs, NODE_EXTRA_CA_CERTS). Plain data: it crosses to the
 * fleet's worker threads and its backend's child process.
 */
export const embeddedTlsSchema = z.object({
  server: backendTlsSchema,
  ca: z.string().min(1).optional(),
});
export type EmbeddedTls = z.infer<typeof embeddedTlsSchema>;

/** The data folder: STAGESIM_DATA_DIR, or ~/.stagesim. */
export function defaultDataDir(): string {
  return process.env.STAGESIM_DATA_DIR || join(homedir(), '.stagesim');
}

/** The names a certificate for `host` must carry: loopback always, the machine's name, the host itself. */
export function serverNames(host: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1', hostname()];
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare !== '0.0.0.0' && bare !== '::') names.push(bare);
  return [...new Set(names)];
}

/** TLS from the data folder's local CA (made on first use), for the names `host` is reached by. */
export function localCaTls(dataDir: string, host: string): BackendTls {
  return localCaEmbeddedTls(dataDir, host).server;
}

/** localCaTls with the CA's certificate, for the clients to trust. */
export function localCaEmbeddedTls(dataDir: string, host: string): EmbeddedTls {
  const ca = ensureLocalCa(dataDir);
  const server = issueServerCertificate(ca, serverNames(host));
  return { server: { cert: server.certPem, key: server.keyPem, caPath: ca.certPath }, ca: ca.certPem };
}

/** TLS from the user's own PEM files, checked to belong together. */
export function userTls(certPath: string, keyPath: string): BackendTls {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new StagesimError(
        'TLS_CERT_INVALID',
        `cannot read the ${what} ${path}: ${(error as Error).message}`,
      );
    }
  };
  const cert = read(certPath, 'certificate');
  const key = read(keyPath, 'key');
  checkUserCertificate(cert, key, `${certPath} and ${keyPath}`);
  return { cert, key };
}

/** How to trust the local CA, printed by `stagesim backend --tls`. */
export function trustInstructions(caPath: string): string[] {
  return [
    `TLS certificate signed by the stagesim local CA: ${caPath}`,
    'trust it in the clients you use:',
    `  Node (Graph SDK, stagesim --backend https://…): NODE_EXTRA_CA_CERTS=${caPath}`,
    `  Python (requests, msgraph-sdk): REQUESTS_CA_BUNDLE=${caPath}`,
    `  curl: curl --cacert ${caPath} …`,
    `  Linux: sudo cp ${caPath} /usr/local/share/ca-certificates/stagesim.crt && sudo update-ca-certificates`,
    `  macOS: sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${caPath}`,
    `  Windows: certutil -addstore -f Root ${caPath}`,
  ];
}
