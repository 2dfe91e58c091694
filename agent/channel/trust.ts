import { rootCertificates } from 'node:tls';

/**
 * TLS client options that trust `ca` (a private CA's certificate in PEM, such as stagesim's local CA)
 * besides Node's own CAs: a `ca` option on its own would replace them. Nothing when there is no `ca`.
 */
export function trustingCa(ca: string | undefined): { ca?: string[] } {
  return ca ? { ca: [...rootCertificates, ca] } : {};
}
