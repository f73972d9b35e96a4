import { DEFAULT_DB_PORT, engineFamily, type DbEngine, type Profile } from './profile';

/**
 * The local-port convention engineers already type by hand: the database's port
 * plus 10000, counting up when taken (13306, 13307, ... for MySQL-family engines,
 * 15432, 15433, ... for PostgreSQL-family ones).
 */
const LOCAL_PORT_OFFSET = 10_000;
/** The highest TCP port. */
const MAX_PORT = 65535;

/** The next local port by convention that is not in `taken`. */
export function proposeLocalPort(engine: DbEngine, taken: ReadonlySet<number>): number {
  let port: number = DEFAULT_DB_PORT[engineFamily(engine)] + LOCAL_PORT_OFFSET;
  while (taken.has(port)) port += 1;
  return port;
}

/**
 * The local port for a copy of a target: the first free one above the original's,
 * so a user's own numbering (23306 -> 23307) carries over; the convention when
 * there is no room above.
 */
export function localPortForCopy(engine: DbEngine, originalPort: number, taken: ReadonlySet<number>): number {
  let port = originalPort + 1;
  while (taken.has(port)) port += 1;
  return port <= MAX_PORT ? port : proposeLocalPort(engine, taken);
}

/** Every local port any profile's target listens on: a new target must not take one. */
export function takenLocalPorts(profiles: readonly Profile[]): Set<number> {
  return new Set(profiles.flatMap((profile) => profile.targets.map((target) => target.localPort)));
}
