import { uniqueSlug } from '../../../shared/model/ids';
import { parseHopAddress } from '../../../shared/model/jumpHost';
import { proposeLocalPort, takenLocalPorts } from '../../../shared/model/localPorts';
import { DbEngineSchema, DbTargetSchema, DEFAULT_DB_PORT, engineFamily, EXAMPLE_PROFILE_ID, type DbEngine, type DbRemote, type Profile, type SecretSource } from '../../../shared/model/profile';
import { badInput, invalidInput, savedProfile, unwrapChange } from '../profileChanges';
import { findTargets, type CliSession } from '../session';
import { targetLine } from './profile';

/** `jumpgate profile target add|rm`: one database of a profile, added or removed through the core's intents. */

export interface TargetAddOptions {
  engine: string;
  /** `endpoint[:port]` as the jump box reaches it; the engine's port when left out. */
  host?: string;
  /** An RDS instance or cluster identifier, resolved at each connect. */
  rds?: string;
  rdsEndpoint?: string;
  /** The local port; the team's convention (13306, 15432, the next free) when left out. */
  port?: string;
  database?: string;
  user?: string;
  /** A Secrets Manager secret id or ARN holding the password. */
  secret?: string;
  /** The RDS-managed secret linked to the instance. */
  rdsSecret?: boolean;
  id?: string;
}

const RDS_ENDPOINTS = ['instance', 'cluster-writer', 'cluster-reader'] as const;

function targetOptionOf(path: string): string {
  if (path === 'remote.host' || path === 'remote.port') return `--host ${path.slice('remote.'.length)}`;
  if (path.startsWith('remote.')) return '--rds';
  if (path === 'localPort') return '--port';
  if (path === 'username') return '--user';
  if (path === 'secret.secretId') return '--secret';
  if (path === 'id') return '--id';
  return path || 'the target';
}

function engineFrom(text: string): DbEngine {
  const parsed = DbEngineSchema.safeParse(text);
  if (!parsed.success) throw badInput(`--engine ${text} is not an engine Jumpgate tunnels to.`, `Use one of: ${DbEngineSchema.options.join(', ')}.`);
  return parsed.data;
}

function remoteFrom(options: TargetAddOptions, engine: DbEngine): DbRemote {
  if ((options.host === undefined) === (options.rds === undefined)) {
    throw badInput('Say where the database is: --host <endpoint[:port]> or --rds <identifier>, one of them.', '--host takes the endpoint as the jump box reaches it (db.abc.eu-west-2.rds.amazonaws.com:3306); --rds an RDS instance or cluster identifier, looked up at each connect.');
  }
  if (options.rds !== undefined) {
    const endpoint = options.rdsEndpoint ?? 'instance';
    if (!(RDS_ENDPOINTS as readonly string[]).includes(endpoint)) throw badInput(`--rds-endpoint ${endpoint} is not one of ${RDS_ENDPOINTS.join(', ')}.`, 'instance for an RDS instance; cluster-writer or cluster-reader for an Aurora cluster.');
    return { kind: 'rds', identifier: options.rds, endpoint: endpoint as (typeof RDS_ENDPOINTS)[number] };
  }
  const host = parseHopAddress(options.host as string);
  if (!host || host.user !== undefined) {
    throw badInput(`--host ${options.host} is not endpoint[:port].`, 'For example --host orders.abc.eu-west-2.rds.amazonaws.com:3306 or --host 10.0.1.5; an IPv6 address goes in brackets: --host [2001:db8::5]:5432.');
  }
  return { kind: 'host', host: host.host, port: host.port ?? DEFAULT_DB_PORT[engineFamily(engine)] };
}

function secretFrom(options: TargetAddOptions): SecretSource {
  if (options.secret !== undefined && options.rdsSecret) throw badInput('Give --secret or --rds-secret, not both.', 'The password comes from one place: a Secrets Manager secret (--secret), the RDS-managed one (--rds-secret), or you type it (neither).');
  if (options.secret !== undefined) return { kind: 'secrets-manager', secretId: options.secret };
  return options.rdsSecret ? { kind: 'rds-managed' } : { kind: 'none' };
}

function localPortFrom(text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw badInput(`--port ${text} is not a port number.`, 'A local port from 1024 to 65535, or leave --port out for the next free one by convention (13306, 15432, ...).');
  return Number(text);
}

/**
 * `jumpgate profile target add <profile> <name> --engine ... (--host ... | --rds ...)`: the local port
 * proposed by the same convention as the app's (shared/model/localPorts.ts) unless given.
 */
export async function targetAdd(session: CliSession, wanted: string, name: string, options: TargetAddOptions): Promise<void> {
  const engine = engineFrom(options.engine);
  const remote = remoteFrom(options, engine);
  const secret = secretFrom(options);
  const { profile, revision, profiles } = await savedProfile(session, wanted);
  const sameName = profile.targets.find((target) => target.id === name.trim() || target.name.toLowerCase() === name.trim().toLowerCase());
  if (sameName) {
    throw badInput(`Profile ${profile.id} has a target named "${sameName.name}" already (id ${sameName.id}).`, 'Choose another name: commands find targets by id or name, so two alike could not be told apart.');
  }
  const candidate = {
    id: options.id ?? uniqueSlug(name, new Set(profile.targets.map((target) => target.id)), 'target'),
    name: name.trim(),
    engine,
    remote,
    localPort: options.port !== undefined ? localPortFrom(options.port) : proposeLocalPort(engine, takenLocalPorts(profiles)),
    ...(options.database ? { database: options.database } : {}),
    ...(options.user ? { username: options.user } : {}),
    secret,
  };
  const checked = DbTargetSchema.safeParse(candidate);
  if (!checked.success) throw invalidInput(`The target "${name}"`, checked.error, targetOptionOf, 'jumpgate profile target add --help');
  if (profile.targets.some((target) => target.id === checked.data.id)) {
    throw badInput(`Profile ${profile.id} has a target with the id "${checked.data.id}" already.`, `Choose another --id, or remove that one first: jumpgate profile target rm ${profile.id} ${checked.data.id}.`);
  }
  const saved = unwrapChange(await session.invoke('profiles:addTarget', { profileId: profile.id, revision, target: checked.data }), profile.id);
  const target = saved.profile.targets.find((entry) => entry.id === checked.data.id) ?? checked.data;
  process.stdout.write(`Added target to ${profile.id}: ${targetLine(target)}\n`);
  if (options.port === undefined) process.stdout.write(exampleHoldsNote(engine, target.localPort, profiles));
}

/** The first run's example profile keeps the conventional ports until it is removed (the app's editor offers the same). */
function exampleHoldsNote(engine: DbEngine, given: number, profiles: readonly Profile[]): string {
  const conventional = proposeLocalPort(engine, new Set());
  const example = profiles.find((entry) => entry.id === EXAMPLE_PROFILE_ID);
  if (given === conventional || !example?.targets.some((target) => target.localPort === conventional)) return '';
  return `(${conventional} is held by the example profile; jumpgate profile rm ${EXAMPLE_PROFILE_ID} frees it for your next target.)\n`;
}

/** `jumpgate profile target rm <profile> <target>`: its tunnel, if open, closes first. */
export async function targetRemove(session: CliSession, wanted: string, targetName: string): Promise<void> {
  const { profile, revision } = await savedProfile(session, wanted);
  const [target] = findTargets(profile, [targetName]);
  if (!target) return;
  unwrapChange(await session.invoke('profiles:removeTarget', { profileId: profile.id, revision, targetId: target.id }), profile.id);
  process.stdout.write(`Removed target ${target.id} from ${profile.id} (127.0.0.1:${target.localPort} is free again).\n`);
}
