import { detailsOf, type ErrorInfo } from './errors';

/**
 * The `hostKeys:trust` request that pins the key a HOST_KEY_UNKNOWN error
 * carries in its details (host, port, base64 public key), once the user has
 * accepted its fingerprint. The contract's schema checks the values.
 */
export function trustRequestFor(error: ErrorInfo): { host: string; port: number; publicKey: string } {
  const details = detailsOf(error, 'HOST_KEY_UNKNOWN');
  if (!details) throw new Error(`trustRequestFor needs a HOST_KEY_UNKNOWN error, not ${error.code}`);
  return { host: details.host, port: details.port, publicKey: details.publicKey };
}
