import type { ErrorDetailsMap } from './errorDetails';

/**
 * Stable error codes that cross every boundary (IPC, WebSocket, CLI exit text).
 * A code never changes meaning once shipped; add new ones instead.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'INTERNAL',
  // keys
  'BAD_PASSPHRASE',
  'PASSPHRASE_REQUIRED',
  'KEY_UNREADABLE',
  'KEY_NOT_FOUND',
  /** The key's passphrase derivation (bcrypt rounds, Argon2 memory x passes) asks for far more than key tools write; refused before running it. */
  'KEY_KDF_TOO_EXPENSIVE',
  'KEY_EXISTS',
  'AGENT_UNAVAILABLE',
  // jump host
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_MISMATCH',
  /**
   * The key the jump box presented is listed `@revoked` in known_hosts: refused even if
   * also pinned. Not HOST_KEY_MISMATCH: there is nothing to compare or re-trust, and
   * accepting "the new key" would pin the revoked one again.
   */
  'HOST_KEY_REVOKED',
  /**
   * The fingerprint the user gave to confirm a host key is not the key the server presents: nothing
   * was trusted. Both fingerprints are in the message and the details.
   */
  'HOST_KEY_NOT_CONFIRMED',
  'AUTH_FAILED',
  /**
   * The jump box speaks only a legacy algorithm Jumpgate does not offer by default (`ssh-rsa`,
   * RSA with SHA-1: as a host key, or as the only signature it takes from the user's RSA key).
   * The details name the algorithm; the hint says how to allow it for that one profile.
   */
  'SSH_ALGORITHM_LEGACY',
  'JUMP_HOST_UNREACHABLE',
  'JUMP_HOST_TIMEOUT',
  'JUMP_HOST_LOST',
  // tunnels
  'PORT_IN_USE',
  'ENDPOINT_UNREACHABLE',
  'TUNNEL_NOT_FOUND',
  'TUNNEL_EXISTS',
  'TARGET_NOT_FOUND',
  'ENDPOINT_UNRESOLVED',
  // profiles
  'PROFILES_CORRUPT',
  'PROFILE_NOT_FOUND',
  'PROFILE_INVALID',
  /** A write based on an older revision than the one saved (another window, or the CLI, changed it first). */
  'PROFILES_CONFLICT',
  'IMPORT_INVALID',
  // team profiles published in AWS (issue #16)
  /**
   * What is published at a team source is not the version the writer read: another publish came
   * first (a publish is refused rather than overwrite it), or a follow names an older fetch.
   */
  'TEAM_SOURCE_CONFLICT',
  /** A refresh or follow of a team source this Jumpgate has never fetched or followed. */
  'TEAM_NOT_FOLLOWED',
  /** A publish of a profile whose jump box has no pinned host key here: followers would be asked about it, so nothing is published. */
  'TEAM_HOST_KEY_UNPINNED',
  // OS keychain
  'KEYCHAIN_UNAVAILABLE',
  'CLIPBOARD_UNAVAILABLE',
  /** No system file dialog here (the browser mode, the CLI): the path is typed. */
  'FILE_PICKER_UNAVAILABLE',
  // front ends
  /** The page cannot reach the service (jumpgate serve stopped, or the socket dropped); it keeps trying. */
  'SERVICE_UNREACHABLE',
  // AWS
  'AWS_CREDENTIALS_MISSING',
  'AWS_CREDENTIALS_EXPIRED',
  'AWS_CREDENTIALS_INVALID',
  'AWS_ACCESS_DENIED',
  'AWS_UNREACHABLE',
  'AWS_NOT_FOUND',
  'AWS_REQUEST_FAILED',
  'SECRET_MALFORMED',
  'SECRET_NOT_FOUND',
  'DB_LOGIN_FAILED',
  'PUBLIC_IP_UNKNOWN',
  /** The IP address the user gave is not a plain public IPv4 address (a typo, a LAN or reserved address). */
  'PUBLIC_IP_INVALID',
  'IP_NOT_ALLOWED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The structured facts an error of code `C` carries (its schema is in errorDetails.ts). */
export type ErrorDetailsOf<C extends ErrorCode> = ErrorDetailsMap[C];

/**
 * The serialised form of an error: what a front end shows. A union by code, so
 * checking `code` types `details` (HOST_KEY_UNKNOWN has a fingerprint, PORT_IN_USE a port).
 */
export type ErrorInfo = {
  [C in ErrorCode]: {
    code: C;
    /** A sentence the user can act on. Never contains a secret. */
    message: string;
    /** What the user does next, in plain words. */
    hint?: string;
    /** Structured facts the UI needs to act (a fingerprint to confirm, a free port to offer). Never a secret. */
    details?: ErrorDetailsOf<C>;
  };
}[ErrorCode];

/** An error with a stable code and a hint. `details` holds structured data for the UI (e.g. a fingerprint), shaped by its code. */
export class JumpgateError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly hint: string | undefined;
  readonly details: Readonly<ErrorDetailsOf<C>> | undefined;

  constructor(code: C, message: string, options: { hint?: string; details?: ErrorDetailsOf<C>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JumpgateError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  toInfo(): ErrorInfo {
    const details = plainDetails(this.details);
    return {
      code: this.code,
      message: this.message,
      ...(this.hint !== undefined ? { hint: this.hint } : {}),
      ...(details ? { details } : {}),
    } as ErrorInfo;
  }
}

/** Only flat, JSON-safe facts cross the boundary; anything else (objects, buffers) stays behind. */
function plainDetails(details: object | undefined): Record<string, string | number | boolean> | undefined {
  if (!details) return undefined;
  const entries = Object.entries(details).filter(
    (entry): entry is [string, string | number | boolean] =>
      typeof entry[1] === 'string' || typeof entry[1] === 'number' || typeof entry[1] === 'boolean',
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

export function isJumpgateError(value: unknown): value is JumpgateError {
  return value instanceof JumpgateError;
}

/** Turn anything thrown into an ErrorInfo without leaking stack traces or option objects. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof JumpgateError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}` };
}

/** The details of an error if it has code `code` (typed by that code), else undefined. */
export function detailsOf<C extends ErrorCode>(error: { code: ErrorCode; details?: unknown }, code: C): ErrorDetailsOf<C> | undefined {
  return error.code === code ? (error.details as ErrorDetailsOf<C> | undefined) : undefined;
}
