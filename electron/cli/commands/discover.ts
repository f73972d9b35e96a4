import { endpointKindsOf, existingTargetFor, targetFromDiscovered, type DiscoveredDatabase, type RdsEndpointKind } from '../../../shared/discoveredTargets';
import type { DbTarget, Profile } from '../../../shared/model/profile';
import { badInput, savedProfile, unwrapChange } from '../profileChanges';
import { unwrap, type CliSession } from '../session';

/**
 * `jumpgate discover <profile> [--add] [--json]`: the RDS instances and Aurora clusters in the
 * profile's region (aws:listDatabases). `--add` makes targets of those the profile has no target
 * for, as the app's Endpoints screen makes them (shared/discoveredTargets.ts: by identifier, on
 * the port the convention proposes, with the RDS-managed secret where there is one), in one write.
 */

export interface DiscoverOptions {
  add?: boolean;
  json?: boolean;
  region?: string;
}

/** One endpoint of one database: an instance, or a cluster's writer or reader. */
interface FoundEndpoint {
  identifier: string;
  kind: 'instance' | 'cluster';
  endpointKind: RdsEndpointKind;
  engine: DiscoveredDatabase['engine'];
  status?: string;
  /** host:port as RDS reports it, when it has one yet. */
  endpoint?: string;
  proposedLocalPort: number;
  /** The target of the profile that already points at it. */
  targetId?: string;
  /** Set by --add: the target made for it now. */
  addedTargetId?: string;
  localPort?: number;
}

function endpointOf(db: DiscoveredDatabase, kind: RdsEndpointKind): string | undefined {
  const endpoint = kind === 'cluster-reader' ? db.readerEndpoint : db.endpoint;
  return endpoint ? `${endpoint.host}:${endpoint.port}` : undefined;
}

export async function discover(session: CliSession, wanted: string, options: DiscoverOptions): Promise<void> {
  const { profile, revision, profiles } = await savedProfile(session, wanted);
  const listed = await session.invoke('aws:listDatabases', { profileId: profile.id, ...(options.region ? { region: options.region } : {}) });
  // The only part of the request the user typed is --region: a refusal of the request is theirs to correct.
  if (!listed.ok && listed.error.code === 'BAD_REQUEST') throw badInput(`--region ${options.region ?? ''} is not an AWS region.`, 'Give a region such as eu-west-2 or us-east-1, or leave --region out for the profile\'s own.');
  const found = unwrap(listed);

  const rows: FoundEndpoint[] = [];
  const toAdd: DbTarget[] = [];
  // Each new target is counted as taken before the next is made, so two never share an id or a port.
  let growing: Profile = profile;
  for (const db of found.databases) {
    for (const endpointKind of endpointKindsOf(db)) {
      const existing = existingTargetFor(profile, db.identifier, endpointKind);
      const endpoint = endpointOf(db, endpointKind);
      const row: FoundEndpoint = {
        identifier: db.identifier,
        kind: db.kind,
        endpointKind,
        engine: db.engine,
        ...(db.status ? { status: db.status } : {}),
        ...(endpoint ? { endpoint } : {}),
        proposedLocalPort: db.proposedLocalPort,
        ...(existing ? { targetId: existing.id } : {}),
      };
      if (options.add && !existing) {
        const others = profiles.filter((entry) => entry.id !== profile.id);
        const target = targetFromDiscovered(db, endpointKind, growing, [growing, ...others]);
        growing = { ...growing, targets: [...growing.targets, target] };
        toAdd.push(target);
        row.addedTargetId = target.id;
        row.localPort = target.localPort;
      }
      rows.push(row);
    }
  }
  if (toAdd.length > 0) unwrapChange(await session.invoke('profiles:addTargets', { profileId: profile.id, revision, targets: toAdd }), profile.id);

  if (options.json) {
    const report = { profileId: profile.id, region: found.region, databases: rows, unsupported: found.unsupported, ...(found.note ? { note: found.note } : {}), foundIn: found.foundIn, notChecked: found.notChecked };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(`${found.note ?? `No RDS databases in ${found.region}.`}\n`);
    return;
  }
  process.stdout.write(`RDS databases in ${found.region} for ${profile.id}:\n`);
  for (const row of rows) {
    const name = `${row.identifier}${row.endpointKind === 'cluster-reader' ? ' (reader)' : row.endpointKind === 'cluster-writer' ? ' (writer)' : ''}`;
    const state = row.addedTargetId
      ? `added as target ${row.addedTargetId} on 127.0.0.1:${row.localPort}`
      : row.targetId
        ? `target ${row.targetId} already`
        : `would listen on 127.0.0.1:${row.proposedLocalPort}`;
    process.stdout.write(`  ${name.padEnd(28)} ${row.engine.padEnd(17)} ${(row.endpoint ?? '(no endpoint yet)').padEnd(56)} ${state}\n`);
  }
  if (found.unsupported.length > 0) process.stdout.write(`Not tunnelled to (engine): ${found.unsupported.map((entry) => `${entry.identifier} (${entry.engine})`).join(', ')}\n`);
  if (!options.add && rows.some((row) => !row.targetId)) process.stdout.write(`Add them as targets: jumpgate discover ${profile.id} --add\n`);
  if (options.add && toAdd.length === 0) process.stdout.write('Every one of them is a target already; nothing added.\n');
}
