import * as z from '../zod';
import { IPV4_PROBLEM_KINDS } from './publicIpv4';

/**
 * The structured facts each error code may carry in `details`, for a front end
 * to act on (a fingerprint to confirm, a free port to offer, the revision to
 * reload). Never a secret. One schema per code: the contract checks the map is
 * complete, and JumpgateError's constructor only accepts its code's shape, so
 * no front end has to read `String(details.host)` and hope.
 */

const none = z.strictObject({});
const keyFile = z.strictObject({ format: z.optional(z.string()) });
/** A key that wants its passphrase: its format, and which file (a ProxyJump route may have a key per hop: the answer must be for this one). */
const lockedKey = z.strictObject({ format: z.optional(z.string()), keyPath: z.optional(z.string()) });
const filePath = z.strictObject({ path: z.string() });
/** Which AWS call failed, and for security-group calls the facts an administrator needs to do it instead. */
const awsCall = z.strictObject({
    action: z.optional(z.string()),
    identifier: z.optional(z.string()),
    region: z.optional(z.string()),
    status: z.optional(z.string()),
    ip: z.optional(z.string()),
    port: z.optional(z.number()),
    groupId: z.optional(z.string()),
  });
const hostKey = { host: z.string(), port: z.number(), keyType: z.string(), fingerprint: z.string() };

export const ERROR_DETAILS = {
  BAD_REQUEST: z.strictObject({ rule: z.optional(z.string()), identifier: z.optional(z.string()) }),
  INTERNAL: z.strictObject({ reason: z.optional(z.string()) }),
  BAD_PASSPHRASE: lockedKey,
  PASSPHRASE_REQUIRED: lockedKey,
  KEY_UNREADABLE: keyFile,
  KEY_NOT_FOUND: filePath,
  /** What the key asks for and the most this app runs: bcrypt rounds, or Argon2 memory (KiB) and memory x passes; or the time limit it hit. */
  KEY_KDF_TOO_EXPENSIVE: z.strictObject({
      format: z.string(),
      kdf: z.enum(['bcrypt', 'argon2']),
      rounds: z.optional(z.number()),
      maxRounds: z.optional(z.number()),
      memoryKiB: z.optional(z.number()),
      passes: z.optional(z.number()),
      maxMemoryKiB: z.optional(z.number()),
      maxMemoryTimesPasses: z.optional(z.number()),
      timeoutSeconds: z.optional(z.number()),
    }),
  KEY_EXISTS: filePath,
  AGENT_UNAVAILABLE: none,
  /** The key to show and, once the user compares the fingerprint, to pin (base64 wire blob). */
  HOST_KEY_UNKNOWN: z.strictObject({ ...hostKey, publicKey: z.string() }),
  /**
   * The key the server shows now (its fingerprint and base64 wire blob, as HOST_KEY_UNKNOWN has), the
   * fingerprints pinned before, and the known_hosts file they are pinned in.
   */
  HOST_KEY_MISMATCH: z.strictObject({ ...hostKey, expected: z.string(), publicKey: z.optional(z.string()), knownHostsPath: z.optional(z.string()) }),
  /** The fingerprint the user gave to confirm a key, and what the server presents instead (`fingerprint`). */
  HOST_KEY_NOT_CONFIRMED: z.strictObject({ ...hostKey, given: z.string() }),
  /** The revoked key the server presented. */
  HOST_KEY_REVOKED: z.strictObject(hostKey),
  AUTH_FAILED: none,
  /** The jump box, the legacy algorithm it insists on, and whether for its host key or the user's key signature. */
  SSH_ALGORITHM_LEGACY: z.strictObject({ host: z.string(), port: z.number(), algorithm: z.string(), use: z.enum(['host-key', 'user-key']) }),
  JUMP_HOST_UNREACHABLE: none,
  JUMP_HOST_TIMEOUT: none,
  JUMP_HOST_LOST: none,
  /** Who holds the port (when the OS says) and a free one to offer instead. */
  PORT_IN_USE: z.strictObject({ port: z.number(), pid: z.optional(z.number()), process: z.optional(z.string()), suggestedPort: z.optional(z.number()) }),
  ENDPOINT_UNREACHABLE: none,
  TUNNEL_NOT_FOUND: none,
  TUNNEL_EXISTS: none,
  TARGET_NOT_FOUND: none,
  ENDPOINT_UNRESOLVED: z.strictObject({ identifier: z.string(), status: z.string() }),
  PROFILES_CORRUPT: z.strictObject({ path: z.string(), keptAt: z.string(), restoredFromBackup: z.boolean() }),
  PROFILE_NOT_FOUND: none,
  PROFILE_INVALID: none,
  /** The revision the writer saw, the one saved now, and which fields changed in between (comma-separated) when known. */
  PROFILES_CONFLICT: z.strictObject({ profileId: z.optional(z.string()), seenRevision: z.optional(z.number()), currentRevision: z.optional(z.number()), changed: z.optional(z.string()) }),
  IMPORT_INVALID: none,
  /** The source, the revision (Parameter Store version, S3 ETag) the writer read and the one there now ('none': nothing published). */
  TEAM_SOURCE_CONFLICT: z.strictObject({ source: z.string(), seenRevision: z.string(), currentRevision: z.string() }),
  TEAM_NOT_FOLLOWED: z.strictObject({ source: z.string() }),
  TEAM_HOST_KEY_UNPINNED: z.strictObject({ host: z.string(), port: z.number(), profileId: z.string() }),
  KEYCHAIN_UNAVAILABLE: z.strictObject({ reason: z.string() }),
  CLIPBOARD_UNAVAILABLE: none,
  FILE_PICKER_UNAVAILABLE: none,
  SERVICE_UNREACHABLE: none,
  AWS_CREDENTIALS_MISSING: awsCall,
  AWS_CREDENTIALS_EXPIRED: awsCall,
  AWS_CREDENTIALS_INVALID: awsCall,
  AWS_ACCESS_DENIED: awsCall,
  AWS_UNREACHABLE: awsCall,
  AWS_NOT_FOUND: awsCall,
  AWS_REQUEST_FAILED: awsCall,
  SECRET_MALFORMED: z.strictObject({ secretId: z.string() }),
  SECRET_NOT_FOUND: z.strictObject({ secretId: z.string(), region: z.optional(z.string()) }),
  DB_LOGIN_FAILED: none,
  /** The URL that was asked (without any user:password part), so the page and the CLI can name it. */
  PUBLIC_IP_UNKNOWN: z.strictObject({ url: z.string() }),
  /** What the user gave (cut to 60 characters) and why it cannot be their public address. */
  PUBLIC_IP_INVALID: z.strictObject({ given: z.string(), kind: z.enum(IPV4_PROBLEM_KINDS) }),
  IP_NOT_ALLOWED: awsCall,
} as const;

/** The details each code carries, by code. */
export type ErrorDetailsMap = { [C in keyof typeof ERROR_DETAILS]: z.input<(typeof ERROR_DETAILS)[C]> };
