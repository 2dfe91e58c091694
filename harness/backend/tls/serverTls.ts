import { readFileSync } from 'node:fs';
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { StagesimError } from '../../../agent/errors';
import { checkUserCertificate, ensureLocalCa, issueServerCertificate } from './localCa';

/** What startBackend serves TLS with: a certificate and key in PEM, and the CA to trust, when it is ours. */
export interface BackendTls {
  cert: string;
  key: string;
  /** The local CA's certificate file, to print for users to trust; absent for a user's own certificate. */
  caPath?: string;
}

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
  const ca = ensureLocalCa(dataDir);
  const server = issueServerCertificate(ca, serverNames(host));
  return { cert: server.certPem, key: server.keyPem, caPath: ca.certPath };
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
