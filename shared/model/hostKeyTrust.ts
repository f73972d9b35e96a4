import * as z from '../zod';
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

/** The host key types Jumpgate negotiates (ssh2's server host key algorithms, RSA under its key type). */
export const HOST_KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const;

/**
 * The key type a base64 SSH wire blob names in its first string, or undefined if
 * the blob is too short for one. Only a first check at the contract boundary:
 * the store parses the whole key before it pins it.
 */
export function hostKeyTypeOfBase64(base64: string): string | undefined {
  let bytes: string;
  try {
    bytes = atob(base64);
  } catch {
    return undefined;
  }
  if (bytes.length < 4) return undefined;
  const length = ((bytes.charCodeAt(0) << 24) | (bytes.charCodeAt(1) << 16) | (bytes.charCodeAt(2) << 8) | bytes.charCodeAt(3)) >>> 0;
  if (length > bytes.length - 4) return undefined;
  return bytes.slice(4, 4 + length);
}

/** A host key as the contract and team files carry it: the base64 SSH wire blob of a type Jumpgate negotiates. */
export const HostKeyBlobSchema = z.string().check(z.minLength(16), z.maxLength(8192), z.regex(/^[A-Za-z0-9+/]+={0,2}$/), z.refine((blob) => (HOST_KEY_TYPES as readonly string[]).includes(hostKeyTypeOfBase64(blob) ?? ''), { message: `an SSH host key of type ${HOST_KEY_TYPES.join(', ')}` }));
