import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import { StagesimError } from '../../../agent/errors';

/**
 * node-forge is loaded when a certificate is made or read (a --tls start), not with the CLI: every
 * command's start-up paid for it (18-135 ms of CPU, with the load), and most never serve TLS.
 */
let loadedForge: typeof Forge | null = null;
const forge = (): typeof Forge => (loadedForge ??= createRequire(__filename)('node-forge') as typeof Forge);

/**
 * The local certificate authority `stagesim backend --tls` serves with: made once per data folder and
 * kept there (ca.pem, and ca-key.pem readable by its owner only), so trusting it once (the OS store,
 * NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE) lasts. Each start issues a short-lived server certificate for
 * the names it listens on, signed by it. X.509 is node-forge's (a well-kept, widely used pure-JS PKI
 * library); the RSA keys come from Node's own crypto.
 */
export interface LocalCa {
  /** Where the CA certificate is: what users trust. */
  certPath: string;
  certPem: string;
  keyPem: string;
}

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
}

const CA_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const CA_NAME = 'stagesim local CA';
const CA_YEARS = 10;
/** Browsers refuse leaf certificates valid for more than 398 days; a fresh one is issued per start. */
const SERVER_DAYS = 397;

function rsaKeys(): Forge.pki.rsa.KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge().pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  return { privateKey: key, publicKey: forge().pki.setRsaPublicKey(key.n, key.e) };
}

function serial(): string {
  // Positive, 16 bytes: RFC 5280 asks for at most 20 and unpredictable.
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

/** The data folder's CA, made on first use. A damaged one is reported, never silently replaced. */
export function ensureLocalCa(dataDir: string, now = new Date()): LocalCa {
  const certPath = join(dataDir, CA_FILE);
  const keyPath = join(dataDir, CA_KEY_FILE);
  if (existsSync(certPath) || existsSync(keyPath)) {
    try {
      const certPem = readFileSync(certPath, 'utf8');
      const keyPem = readFileSync(keyPath, 'utf8');
      const cert = forge().pki.certificateFromPem(certPem);
      const key = forge().pki.privateKeyFromPem(keyPem) as Forge.pki.rsa.PrivateKey;
      if ((cert.publicKey as Forge.pki.rsa.PublicKey).n.compareTo(key.n) !== 0)
        throw new Error('the key does not belong to the certificate');
      if (cert.validity.notAfter <= now)
        throw new Error(`it expired on ${cert.validity.notAfter.toISOString()}`);
      return { certPath, certPem, keyPem };
    } catch (error) {
      throw new StagesimError(
        'TLS_CA_INVALID',
        `the local CA in ${dataDir} cannot be used (${(error as Error).message}); move ${CA_FILE} and ${CA_KEY_FILE} away to make a new one`,
        { cause: error },
      );
    }
  }

  const keys = rsaKeys();
  const cert = forge().pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime());
  cert.validity.notAfter.setFullYear(now.getFullYear() + CA_YEARS);
  const subject = [
    { name: 'commonName', value: CA_NAME },
    { name: 'organizationName', value: 'stagesim' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge().md.sha256.create());

  const certPem = forge().pki.certificateToPem(cert);
  const keyPem = forge().pki.privateKeyToPem(keys.privateKey);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Written under temporary names and renamed, so a crash never leaves half a CA behind.
    writeFileSync(`${keyPath}.tmp`, keyPem, { mode: 0o600 });
    chmodSync(`${keyPath}.tmp`, 0o600);
    writeFileSync(`${certPath}.tmp`, certPem, { mode: 0o644 });
    renameSync(`${keyPath}.tmp`, keyPath);
    renameSync(`${certPath}.tmp`, certPath);
  } catch (error) {
    throw new StagesimError(
      'TLS_CA_INVALID',
      `cannot keep the local CA in ${dataDir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { certPath, certPem, keyPem };
}

/** A server certificate for `hosts` (names and IP addresses), signed by `ca`. */
export function issueServerCertificate(
  ca: LocalCa,
  hosts: readonly string[],
  now = new Date(),
): ServerCertificate {
  const caCert = forge().pki.certificateFromPem(ca.certPem);
  const caKey = forge().pki.privateKeyFromPem(ca.keyPem);
  const keys = rsaKeys();
  const cert = forge().pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + SERVER_DAYS * 86_400_000);
  const names = [...new Set(hosts.map((host) => host.replace(/^\[(.*)\]$/, '$1')))];
  cert.setSubject([{ name: 'commonName', value: names[0] ?? 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })),
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge().md.sha256.create());
  return {
    certPem: forge().pki.certificateToPem(cert),
    keyPem: forge().pki.privateKeyToPem(keys.privateKey),
  };
}

/** Checks a user's certificate and key (PEM) before the server tries them: one clear line if they do not fit. */
export function checkUserCertificate(certPem: string, keyPem: string, where: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch (error) {
    throw new StagesimError(
      'TLS_CERT_INVALID',
      `${where}: not a PEM certificate (${(error as Error).message})`,
    );
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(keyPem)))
      throw new Error('the key does not belong to the certificate');
  } catch (error) {
    throw new StagesimError('TLS_CERT_INVALID', `${where}: ${(error as Error).message}`);
  }
}
