import { z } from 'zod';
import { IPV4_PROBLEM_KINDS } from './publicIpv4';

/**
 * The structured facts each error code may carry in `details`, for a front end
 * to act on (a fingerprint to confirm, a free port to offer, the revision to
 * reload). Never a secret. One schema per code: the contract checks the map is
 * complete, and JumpgateError's constructor only accepts its code's shape, so
 * no front end has to read `String(details.host)` and hope.
 */

const none = z.object({}).strict();
const keyFile = z.object({ format: z.string().optional() }).strict();
/** A key that wants its passphrase: its format, and which file (a ProxyJump route may have a key per hop: the answer must be for this one). */
const lockedKey = z.object({ format: z.string().optional(), keyPath: z.string().optional() }).strict();
const filePath = z.object({ path: z.string() }).strict();
/** Which AWS call failed, and for security-group calls the facts an administrator needs to do it instead. */
const awsCall = z
  .object({
    action: z.string().optional(),
    identifier: z.string().optional(),
    region: z.string().optional(),
    status: z.string().optional(),
    ip: z.string().optional(),
    port: z.number().optional(),
    groupId: z.string().optional(),
  })
  .strict();
const hostKey = { host: z.string(), port: z.number(), keyType: z.string(), fingerprint: z.string() };

export const ERROR_DETAILS = {
  BAD_REQUEST: z.object({ rule: z.string().optional(), identifier: z.string().optional() }).strict(),
  INTERNAL: z.object({ reason: z.string().optional() }).strict(),
  BAD_PASSPHRASE: lockedKey,
  PASSPHRASE_REQUIRED: lockedKey,
  KEY_UNREADABLE: keyFile,
  KEY_NOT_FOUND: filePath,
  /** What the key asks for and the most this app runs: bcrypt rounds, or Argon2 memory (KiB) and memory x passes; or the time limit it hit. */
  KEY_KDF_TOO_EXPENSIVE: z
    .object({
      format: z.string(),
      kdf: z.enum(['bcrypt', 'argon2']),
      rounds: z.number().optional(),
      maxRounds: z.number().optional(),
      memoryKiB: z.number().optional(),
      passes: z.number().optional(),
      maxMemoryKiB: z.number().optional(),
      maxMemoryTimesPasses: z.number().optional(),
      timeoutSeconds: z.number().optional(),
    })
    .strict(),
  KEY_EXISTS: filePath,
  AGENT_UNAVAILABLE: none,
  /** The key to show and, once the user compares the fingerprint, to pin (base64 wire blob). */
  HOST_KEY_UNKNOWN: z.object({ ...hostKey, publicKey: z.string() }).strict(),
  /**
   * The key the server shows now (its fingerprint and base64 wire blob, as HOST_KEY_UNKNOWN has), the
   * fingerprints pinned before, and the known_hosts file they are pinned in.
   */
  HOST_KEY_MISMATCH: z.object({ ...hostKey, expected: z.string(), publicKey: z.string().optional(), knownHostsPath: z.string().optional() }).strict(),
  /** The fingerprint the user gave to confirm a key, and what the server presents instead (`fingerprint`). */
  HOST_KEY_NOT_CONFIRMED: z.object({ ...hostKey, given: z.string() }).strict(),
  /** The revoked key the server presented. */
  HOST_KEY_REVOKED: z.object(hostKey).strict(),
  AUTH_FAILED: none,
  /** The jump box, the legacy algorithm it insists on, and whether for its host key or the user's key signature. */
  SSH_ALGORITHM_LEGACY: z.object({ host: z.string(), port: z.number(), algorithm: z.string(), use: z.enum(['host-key', 'user-key']) }).strict(),
  JUMP_HOST_UNREACHABLE: none,
  JUMP_HOST_TIMEOUT: none,
  JUMP_HOST_LOST: none,
  /** Who holds the port (when the OS says) and a free one to offer instead. */
  PORT_IN_USE: z.object({ port: z.number(), pid: z.number().optional(), process: z.string().optional(), suggestedPort: z.number().optional() }).strict(),
  ENDPOINT_UNREACHABLE: none,
  TUNNEL_NOT_FOUND: none,
  TUNNEL_EXISTS: none,
  TARGET_NOT_FOUND: none,
  ENDPOINT_UNRESOLVED: z.object({ identifier: z.string(), status: z.string() }).strict(),
  PROFILES_CORRUPT: z.object({ path: z.string(), keptAt: z.string(), restoredFromBackup: z.boolean() }).strict(),
  PROFILE_NOT_FOUND: none,
  PROFILE_INVALID: none,
  /** The revision the writer saw, the one saved now, and which fields changed in between (comma-separated) when known. */
  PROFILES_CONFLICT: z
    .object({ profileId: z.string().optional(), seenRevision: z.number().optional(), currentRevision: z.number().optional(), changed: z.string().optional() })
    .strict(),
  IMPORT_INVALID: none,
  /** The source, the revision (Parameter Store version, S3 ETag) the writer read and the one there now ('none': nothing published). */
  TEAM_SOURCE_CONFLICT: z.object({ source: z.string(), seenRevision: z.string(), currentRevision: z.string() }).strict(),
  TEAM_NOT_FOLLOWED: z.object({ source: z.string() }).strict(),
  TEAM_HOST_KEY_UNPINNED: z.object({ host: z.string(), port: z.number(), profileId: z.string() }).strict(),
  KEYCHAIN_UNAVAILABLE: z.object({ reason: z.string() }).strict(),
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
  SECRET_MALFORMED: z.object({ secretId: z.string() }).strict(),
  SECRET_NOT_FOUND: z.object({ secretId: z.string(), region: z.string().optional() }).strict(),
  DB_LOGIN_FAILED: none,
  /** The URL that was asked (without any user:password part), so the page and the CLI can name it. */
  PUBLIC_IP_UNKNOWN: z.object({ url: z.string() }).strict(),
  /** What the user gave (cut to 60 characters) and why it cannot be their public address. */
  PUBLIC_IP_INVALID: z.object({ given: z.string(), kind: z.enum(IPV4_PROBLEM_KINDS) }).strict(),
  IP_NOT_ALLOWED: awsCall,
} as const;

/** The details each code carries, by code. */
export type ErrorDetailsMap = { [C in keyof typeof ERROR_DETAILS]: z.input<(typeof ERROR_DETAILS)[C]> };
