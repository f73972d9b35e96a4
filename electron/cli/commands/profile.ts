import { isAbsolute, resolve } from 'node:path';
import { uniqueSlug } from '../../../shared/model/ids';
import { parseHopAddress, type JumpHostAuth } from '../../../shared/model/jumpHost';
import { DEFAULT_AWS_REGION, ProfileSchema, type DbTarget, type Profile } from '../../../shared/model/profile';
import { badInput, hopText, invalidInput, profileNamed, savedProfile, unwrapChange } from '../profileChanges';
import { CliFailure, unwrap, type CliSession } from '../session';

/**
 * `jumpgate profile add|show|rm|rename`: a profile made, read, removed and renamed from a
 * terminal, each change one of the core's intents at the revision this command read.
 */

export interface ProfileAddOptions {
  /** `user@host[:port]`, an IPv6 address in brackets. */
  jump: string;
  key?: string;
  agent?: boolean;
  region?: string;
  awsProfile?: string;
  securityGroup?: string;
  id?: string;
}

/** Which option a schema path came from, so the schema's own words name what the user typed. */
function addOptionOf(path: string): string {
  if (path === 'jumpHost.auth.keyPath') return '--key';
  if (path.startsWith('jumpHost.')) return `--jump ${path.slice('jumpHost.'.length)}`;
  if (path === 'aws.region') return '--region';
  if (path === 'aws.profile') return '--aws-profile';
  if (path === 'aws.securityGroupId') return '--security-group';
  if (path === 'id') return '--id';
  return path || 'the profile';
}

/** A key path as the user meant it: relative to where they typed the command, `~/` left for the core (the app writes it so too). */
function keyPathFrom(typed: string): string {
  return typed.startsWith('~') || isAbsolute(typed) ? typed : resolve(typed);
}

/**
 * How the jump box login proves who the user is: a key file the core can read (checked now with
 * keys:inspect, so a typo is said here and not at the first connect), or the SSH agent.
 */
async function authFrom(session: CliSession, options: ProfileAddOptions): Promise<{ auth: JumpHostAuth; described: string }> {
  if (options.key !== undefined && options.agent) throw badInput('Give --key or --agent, not both.', 'The jump box login uses one of them: a key file (--key ~/.ssh/id_ed25519) or your SSH agent (--agent).');
  if (options.agent) return { auth: { kind: 'agent' }, described: 'your SSH agent' };
  if (options.key === undefined) throw badInput('Say how to log in to the jump box: --key <path> or --agent.', 'For example --key ~/.ssh/id_ed25519, or --agent to use the keys your SSH agent holds.');
  const keyPath = keyPathFrom(options.key);
  const inspected = await session.invoke('keys:inspect', { path: keyPath, publicOnly: true });
  if (inspected.ok) return { auth: { kind: 'key', keyPath }, described: `key ${keyPath} (${inspected.value.type} ${inspected.value.fingerprint})` };
  // An encrypted PEM key without its .pub cannot show its public half without the passphrase: it is a key all the same.
  if (inspected.error.code === 'PASSPHRASE_REQUIRED') return { auth: { kind: 'key', keyPath }, described: `key ${keyPath} (encrypted)` };
  const hint = inspected.error.code === 'KEY_NOT_FOUND' ? 'Check the --key path: a relative path is taken from the folder you run jumpgate in.' : inspected.error.hint;
  throw new CliFailure({ ...inspected.error, ...(hint ? { hint } : {}) }, 2);
}

/** `jumpgate profile add <name> --jump user@host[:port] (--key <path> | --agent) [--region ...] [--id ...]`. */
export async function profileAdd(session: CliSession, name: string, options: ProfileAddOptions): Promise<void> {
  const hop = parseHopAddress(options.jump);
  if (!hop) {
    throw badInput(`--jump ${options.jump} is not user@host[:port].`, 'For example --jump ec2-user@bastion.example.com or ec2-user@bastion.example.com:2222; an IPv6 address goes in brackets: ec2-user@[2001:db8::1]:22.');
  }
  if (!hop.user) throw badInput(`--jump ${options.jump} names no user to log in as.`, `Put the login name before @, for example --jump ec2-user@${options.jump}.`);
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const sameName = profileNamed(profiles, name);
  if (sameName) {
    throw new CliFailure(
      { code: 'PROFILE_INVALID', message: `A profile named "${sameName.name}" exists already (id ${sameName.id}).`, hint: `Choose another name, or rename that one first: jumpgate profile rename ${sameName.id} "<new name>".` },
      2,
    );
  }
  const sameId = options.id === undefined ? undefined : profiles.find((profile) => profile.id === options.id);
  if (sameId) {
    throw new CliFailure({ code: 'PROFILE_INVALID', message: `A profile with the id "${sameId.id}" exists already ("${sameId.name}").`, hint: `Choose another --id, or remove that profile first: jumpgate profile rm ${sameId.id}.` }, 2);
  }
  const { auth, described } = await authFrom(session, options);
  // Built as the app's editor builds a new profile: the id from the name unless given, the schema's defaults for the rest.
  const candidate = {
    id: options.id ?? uniqueSlug(name, new Set(profiles.map((profile) => profile.id))),
    name: name.trim(),
    jumpHost: { host: hop.host, port: hop.port ?? 22, user: hop.user, auth, via: [] },
    aws: {
      region: options.region ?? DEFAULT_AWS_REGION,
      ...(options.awsProfile ? { profile: options.awsProfile } : {}),
      ...(options.securityGroup ? { securityGroupId: options.securityGroup } : {}),
    },
  };
  const checked = ProfileSchema.safeParse(candidate);
  if (!checked.success) throw invalidInput(`The profile "${name}"`, checked.error, addOptionOf, 'jumpgate profile add --help');
  const saved = unwrapChange(await session.invoke('profiles:save', { profile: checked.data }), checked.data.id);
  const { profile } = saved;
  process.stdout.write(`Added profile ${profile.id} "${profile.name}": ${hopText(profile.jumpHost)} with ${described}, AWS region ${profile.aws.region}.\n`);
  process.stdout.write(`Next: jumpgate profile target add ${profile.id} <name> --engine mysql --host <endpoint> (or jumpgate discover ${profile.id} --add)\n`);
}

function remoteText(target: DbTarget): string {
  if (target.remote.kind === 'host') return `${target.remote.host.includes(':') ? `[${target.remote.host}]` : target.remote.host}:${target.remote.port}`;
  return `rds:${target.remote.identifier}${target.remote.endpoint === 'instance' ? '' : ` (${target.remote.endpoint})`}`;
}

function secretText(target: DbTarget): string {
  switch (target.secret.kind) {
    case 'secrets-manager':
      return `password from Secrets Manager ${target.secret.secretId}`;
    case 'rds-managed':
      return "password from the instance's RDS-managed secret";
    default:
      return 'password typed by you';
  }
}

/** One target as `profile show` and `target add` print it. */
export function targetLine(target: DbTarget): string {
  const login = [target.username ? `user ${target.username}` : '', target.database ? `database ${target.database}` : ''].filter(Boolean).join(', ');
  return `${target.id.padEnd(16)} 127.0.0.1:${String(target.localPort).padEnd(6)} -> ${remoteText(target)} (${target.engine}${login ? `, ${login}` : ''}, ${secretText(target)})`;
}

/** `jumpgate profile show <profile> [--json]`: the whole profile as saved; `--json` is `{ revision, profile }` with the profile exactly as the store keeps it. */
export async function profileShow(session: CliSession, wanted: string, options: { json?: boolean }): Promise<void> {
  const { profile, revision } = await savedProfile(session, wanted);
  if (options.json) {
    process.stdout.write(JSON.stringify({ revision, profile }, null, 2) + '\n');
    return;
  }
  const { jumpHost, aws, options: settings } = profile;
  const login = jumpHost.auth.kind === 'key' ? `key ${jumpHost.auth.keyPath}` : `SSH agent${jumpHost.auth.socketPath ? ` at ${jumpHost.auth.socketPath}` : ''}`;
  const lines = [
    `${profile.id}  ${profile.name}`,
    `  jump host   ${hopText(jumpHost)} with ${login}${jumpHost.via.length > 0 ? `, via ${jumpHost.via.map(hopText).join(' -> ')}` : ''}`,
    `  AWS         region ${aws.region}${aws.profile ? `, profile ${aws.profile}` : ''}${aws.securityGroupId ? `, security group ${aws.securityGroupId}` : ''}${aws.jumpHostInstanceId ? `, instance ${aws.jumpHostInstanceId}` : ''}`,
    `  options     keepalive ${settings.keepaliveIntervalSeconds} s, reconnect wait up to ${settings.reconnectCapSeconds} s${settings.autoConnect ? ', connects at start' : ''}${settings.idleAutoCloseMinutes > 0 ? `, closes after ${settings.idleAutoCloseMinutes} min idle` : ''}${settings.allowSshRsaSha1 ? ', allows ssh-rsa (SHA-1) for an old jump box' : ''}`,
    profile.targets.length > 0 ? '  targets' : '  targets     none yet (jumpgate profile target add, or jumpgate discover --add)',
    ...profile.targets.map((target) => `    ${targetLine(target)}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** `jumpgate profile rm <profile>`: deleted (its tunnels close first) at the revision read. */
export async function profileRemove(session: CliSession, wanted: string): Promise<void> {
  const { profile, revision } = await savedProfile(session, wanted);
  unwrapChange(await session.invoke('profiles:delete', { id: profile.id, revision }), profile.id);
  process.stdout.write(`Deleted profile ${profile.id} "${profile.name}" (${profile.targets.length} target${profile.targets.length === 1 ? '' : 's'}).\n`);
}

/** `jumpgate profile rename <profile> <new name>`: the id stays, so scripts that name it keep working. */
export async function profileRename(session: CliSession, wanted: string, name: string): Promise<void> {
  const { profile, revision, profiles } = await savedProfile(session, wanted);
  const clash = profileNamed(profiles, name, profile.id);
  if (clash) throw new CliFailure({ code: 'PROFILE_INVALID', message: `A profile named "${clash.name}" exists already (id ${clash.id}).`, hint: 'Choose another name: the CLI finds profiles by name, so two alike could not be told apart.' }, 2);
  const saved: Profile = unwrapChange(await session.invoke('profiles:rename', { profileId: profile.id, revision, name: name.trim() }), profile.id).profile;
  process.stdout.write(`Renamed ${saved.id}: "${profile.name}" -> "${saved.name}" (its id stays ${saved.id}).\n`);
}
