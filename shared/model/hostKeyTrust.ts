import type { ErrorInfo } from './errors';

/**
 * The `hostKeys:trust` request that pins the key a HOST_KEY_UNKNOWN error
 * carries in its details (host, port, base64 public key), once the user has
 * accepted its fingerprint. The contract's schema checks the values.
 */
export function trustRequestFor(error: ErrorInfo): { host: string; port: number; publicKey: string } {
  const details = error.details ?? {};
  return { host: String(details.host), port: Number(details.port), publicKey: String(details.publicKey) };
}
