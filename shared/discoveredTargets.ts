import type { ResponseOf } from './contract';
import { uniqueSlug } from './model/ids';
import { proposeLocalPort, takenLocalPorts } from './model/localPorts';
import type { DbTarget, Profile } from './model/profile';

/**
 * Targets made from what AWS reported (issue #6): a database found on the
 * Endpoints screen (a restored copy's target is made by the service). Pure functions,
 * so the Endpoints screen and `jumpgate discover --add` only decide when, never how.
 */

export type DiscoveredDatabase = ResponseOf<'aws:listDatabases'>['databases'][number];
export type RdsEndpointKind = 'instance' | 'cluster-writer' | 'cluster-reader';

/** The endpoint kinds a discovered database can be added as: an instance, or a cluster's writer and (if it has one) reader. */
export function endpointKindsOf(db: DiscoveredDatabase): RdsEndpointKind[] {
  if (db.kind === 'instance') return ['instance'];
  return db.readerEndpoint ? ['cluster-writer', 'cluster-reader'] : ['cluster-writer'];
}

/** The target of `profile` that already points at this database and endpoint kind, if any. */
export function existingTargetFor(profile: Profile, identifier: string, endpoint: RdsEndpointKind): DbTarget | undefined {
  return profile.targets.find((target) => target.remote.kind === 'rds' && target.remote.identifier === identifier && target.remote.endpoint === endpoint);
}

/**
 * A new target for a database found in RDS: resolved by identifier at each
 * connect, on the port the service proposed (or the next free one of the
 * engine's family if another target took it since the list was fetched), with
 * the RDS-managed linked secret when the database has one.
 */
export function targetFromDiscovered(
  db: DiscoveredDatabase,
  endpoint: RdsEndpointKind,
  profile: Profile,
  allProfiles: readonly Profile[],
  overrides: { name?: string; localPort?: number } = {},
): DbTarget {
  const taken = takenLocalPorts(allProfiles);
  const name = overrides.name ?? (endpoint === 'cluster-reader' ? `${db.identifier} (reader)` : db.identifier);
  return {
    id: uniqueSlug(name, new Set(profile.targets.map((target) => target.id)), 'target'),
    name,
    engine: db.engine,
    remote: { kind: 'rds', identifier: db.identifier, endpoint },
    localPort: overrides.localPort ?? (taken.has(db.proposedLocalPort) ? proposeLocalPort(db.engine, taken) : db.proposedLocalPort),
    ...(db.dbName ? { database: db.dbName } : {}),
    ...(db.masterUsername ? { username: db.masterUsername } : {}),
    secret: db.secretArn ? { kind: 'rds-managed' } : { kind: 'none' },
  };
}
