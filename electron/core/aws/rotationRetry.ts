import type { DbCredentials } from './secrets';

/** MySQL/MariaDB ER_ACCESS_DENIED_ERROR: wrong user or password. */
const MYSQL_ACCESS_DENIED = 1045;
/** PostgreSQL invalid_password (SQLSTATE class 28: invalid authorization specification). */
const POSTGRES_INVALID_PASSWORD = '28P01';

/**
 * Whether the database rejected the password (as opposed to the network, a
 * missing database or a pg_hba rule). Looks through `cause` chains, so a driver
 * error wrapped by our own code still counts. Reads only `errno`/`code`: the
 * drivers' messages do not hold the password, but nothing here needs them.
 */
export function isPasswordRejected(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { errno, code } = current as { errno?: unknown; code?: unknown };
    // mysql2: errno 1045, code 'ER_ACCESS_DENIED_ERROR'; pg: code '28P01'.
    if (errno === MYSQL_ACCESS_DENIED || code === 'ER_ACCESS_DENIED_ERROR') return true;
    if (code === POSTGRES_INVALID_PASSWORD) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export interface RotationRetryOptions {
  /** Told when the first password was rejected and a fresh one is fetched (for a log line or a toast; no secrets). */
  onRefetch?: () => void;
}

/**
 * The rotation race: Secrets Manager rotates the password between our fetch and
 * the login, so the database rejects what we just read. Fetch, attempt; if the
 * database rejects the password (MySQL 1045, PostgreSQL 28P01), fetch again and
 * attempt once more. Any other error, or a second rejection, propagates as it was.
 *
 * When the second fetch returns the same password the retry is skipped: it could
 * only fail again, and repeated failed logins are what lockout rules count.
 *
 * `fetch` must read Secrets Manager each time (no cache), or the retry sees the
 * stale password again.
 */
export async function withRotationRetry<T>(
  fetch: () => Promise<DbCredentials>,
  attempt: (credentials: DbCredentials) => Promise<T>,
  options: RotationRetryOptions = {},
): Promise<T> {
  const first = await fetch();
  try {
    return await attempt(first);
  } catch (error) {
    if (!isPasswordRejected(error)) throw error;
    options.onRefetch?.();
    const second = await fetch();
    if (second.password === first.password && second.username === first.username) throw error;
    return attempt(second);
  }
}
