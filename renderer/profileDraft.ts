import { uniqueSlug } from '../shared/model/ids';
import { DEFAULT_AWS_REGION, DEFAULT_DB_PORT, engineFamily, ProfileSchema, type DbEngine, type Profile } from '../shared/model/profile';
import { parseHopAddress, type AgentChoice, type JumpHostAuth, type JumpHostHop } from '../shared/model/jumpHost';
import { proposeLocalPort } from '../shared/model/localPorts';

/**
 * A profile as the editor holds it while the user types: every field a string
 * or a flag, so half-typed numbers survive. `toProfile` turns it back into a
 * candidate and validates it with the same schema the store uses, reporting
 * problems by field so the form can mark them.
 */

export type RemoteKind = 'host' | 'rds';
export type RdsEndpointKind = 'instance' | 'cluster-writer' | 'cluster-reader';
export type SecretKind = 'none' | 'rds-managed' | 'secrets-manager';

export interface TargetDraft {
  /** React's key for the row; stable while the user edits. */
  key: number;
  /** Kept when editing, so open tunnels and team files still match the target. */
  id?: string;
  name: string;
  engine: DbEngine;
  remoteKind: RemoteKind;
  host: string;
  port: string;
  identifier: string;
  endpoint: RdsEndpointKind;
  localPort: string;
  /** Whether the user typed the local port; until then it follows the engine's convention. */
  localPortTouched: boolean;
  database: string;
  username: string;
  secretKind: SecretKind;
  secretId: string;
}

export interface ProfileDraft {
  name: string;
  host: string;
  port: string;
  user: string;
  authKind: 'key' | 'agent';
  keyPath: string;
  /** Which agent: '' is this computer's default (Pageant or the OpenSSH agent on Windows, SSH_AUTH_SOCK elsewhere). */
  agentChoice: '' | AgentChoice;
  agentSocket: string;
  /** ProxyJump hops, outermost first: "user@host:port, user@host". */
  via: string;
  awsProfile: string;
  region: string;
  securityGroupId: string;
  instanceId: string;
  keepalive: string;
  autoConnect: boolean;
  idleMinutes: string;
  /** The per-profile opt-in to SHA-1 `ssh-rsa`, for one old jump box (options.allowSshRsaSha1). */
  allowSshRsaSha1: boolean;
  targets: TargetDraft[];
}

/** Field name (the schema path, joined with dots) -> what is wrong with it. */
export type FieldErrors = Record<string, string>;

let nextKey = 1;

export function newTargetDraft(engine: DbEngine, takenPorts: ReadonlySet<number>): TargetDraft {
  return {
    key: nextKey++,
    name: '',
    engine,
    remoteKind: 'host',
    host: '',
    port: String(DEFAULT_DB_PORT[engineFamily(engine)]),
    identifier: '',
    endpoint: 'instance',
    localPort: String(proposeLocalPort(engine, takenPorts)),
    localPortTouched: false,
    database: '',
    username: '',
    secretKind: 'none',
    secretId: '',
  };
}

/** A new engine moves the remote port and the untouched local port to that engine's convention. */
export function withEngine(target: TargetDraft, engine: DbEngine, takenPorts: ReadonlySet<number>): TargetDraft {
  const family = engineFamily(engine);
  const remoteWasDefault = target.port === String(DEFAULT_DB_PORT[engineFamily(target.engine)]) || target.port === '';
  return {
    ...target,
    engine,
    port: remoteWasDefault ? String(DEFAULT_DB_PORT[family]) : target.port,
    localPort: target.localPortTouched ? target.localPort : String(proposeLocalPort(engine, takenPorts)),
  };
}

/**
 * Propose the local ports the user has not typed again, in order, around `taken` (used once the
 * example profile that held the conventional ports is gone). Typed ports stay and are kept free.
 */
export function withPortsProposed(draft: ProfileDraft, taken: ReadonlySet<number>): ProfileDraft {
  const used = new Set([...taken, ...draft.targets.filter((target) => target.localPortTouched).map((target) => Number(target.localPort))]);
  const targets = draft.targets.map((target) => {
    if (target.localPortTouched) return target;
    const localPort = proposeLocalPort(target.engine, used);
    used.add(localPort);
    return { ...target, localPort: String(localPort) };
  });
  return { ...draft, targets };
}

function hopText(hop: JumpHostHop): string {
  return `${hop.user}@${hop.host}${hop.port === 22 ? '' : `:${hop.port}`}`;
}

export function toDraft(profile: Partial<Profile>): ProfileDraft {
  const jump = profile.jumpHost;
  const options = profile.options;
  return {
    name: profile.name ?? '',
    host: jump?.host ?? '',
    port: String(jump?.port ?? 22),
    user: jump?.user ?? '',
    authKind: jump?.auth.kind ?? 'key',
    keyPath: jump?.auth.kind === 'key' ? jump.auth.keyPath : '',
    agentChoice: jump?.auth.kind === 'agent' ? (jump.auth.agent ?? '') : '',
    agentSocket: jump?.auth.kind === 'agent' ? (jump.auth.socketPath ?? '') : '',
    via: (jump?.via ?? []).map(hopText).join(', '),
    awsProfile: profile.aws?.profile ?? '',
    region: profile.aws?.region ?? DEFAULT_AWS_REGION,
    securityGroupId: profile.aws?.securityGroupId ?? '',
    instanceId: profile.aws?.jumpHostInstanceId ?? '',
    keepalive: String(options?.keepaliveIntervalSeconds ?? 10),
    autoConnect: options?.autoConnect ?? false,
    idleMinutes: String(options?.idleAutoCloseMinutes ?? 0),
    allowSshRsaSha1: options?.allowSshRsaSha1 ?? false,
    targets: (profile.targets ?? []).map((target) => ({
      key: nextKey++,
      id: target.id,
      name: target.name,
      engine: target.engine,
      remoteKind: target.remote.kind,
      host: target.remote.kind === 'host' ? target.remote.host : '',
      port: target.remote.kind === 'host' ? String(target.remote.port) : String(DEFAULT_DB_PORT[engineFamily(target.engine)]),
      identifier: target.remote.kind === 'rds' ? target.remote.identifier : '',
      endpoint: target.remote.kind === 'rds' ? target.remote.endpoint : 'instance',
      localPort: String(target.localPort),
      localPortTouched: true,
      database: target.database ?? '',
      username: target.username ?? '',
      secretKind: target.secret.kind,
      secretId: target.secret.kind === 'secrets-manager' ? target.secret.secretId : '',
    })),
  };
}

/** A whole number typed in a field, or an error for that field. */
function wholeNumber(text: string, field: string, errors: FieldErrors): number | undefined {
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  errors[field] = 'Enter a whole number.';
  return undefined;
}

function parseVia(text: string, defaultUser: string, errors: FieldErrors): Array<{ host: string; port: number; user: string }> {
  const hops: Array<{ host: string; port: number; user: string }> = [];
  for (const part of text.split(/[,\s]+/).filter(Boolean)) {
    const hop = parseHopAddress(part);
    if (!hop) {
      errors['jumpHost.via'] = `"${part}" is not user@host or user@host:port.`;
      return [];
    }
    hops.push({ user: hop.user ?? defaultUser, host: hop.host, port: hop.port ?? 22 });
  }
  return hops;
}

/** Zod's words made into a sentence for one field. */
function sentence(issue: { code: string; message: string; minimum?: unknown; origin?: unknown }): string {
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) return 'Required.';
  const text = issue.message.replace(/^Invalid input: /, '');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${text.endsWith('.') ? '' : '.'}`;
}

/** Which form field an issue belongs to: hops all report on the ProxyJump field. */
function fieldOf(path: readonly PropertyKey[]): string {
  const joined = path.map(String).join('.');
  return joined.startsWith('jumpHost.via') ? 'jumpHost.via' : joined;
}

/** Agent auth from the draft; Pageant has no socket, so one typed before choosing Pageant is dropped (the field is hidden then). */
function agentAuth(draft: ProfileDraft): Extract<JumpHostAuth, { kind: 'agent' }> {
  const socketPath = draft.agentChoice === 'pageant' ? '' : draft.agentSocket.trim();
  return { kind: 'agent', ...(draft.agentChoice ? { agent: draft.agentChoice } : {}), ...(socketPath ? { socketPath } : {}) };
}

/**
 * The draft as a profile, validated. `id` is kept when editing; a new profile
 * and new targets get ids from their names, unique among `takenProfileIds`.
 * `saved` is the profile as saved, when editing: what the form does not show is
 * kept from it (the keepalive count and reconnect cap, each ProxyJump hop's own
 * key), so saving a name change never resets them.
 */
export function toProfile(
  draft: ProfileDraft,
  id: string | undefined,
  takenProfileIds: ReadonlySet<string>,
  saved?: Pick<Profile, 'jumpHost' | 'options'>,
): { profile?: Profile; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const auth = draft.authKind === 'key' ? { kind: 'key' as const, keyPath: draft.keyPath.trim() } : agentAuth(draft);
  // A hop still listed keeps the login it had (an imported ssh_config gives each hop its own key); a new one logs in as the jump host does.
  const hopAuth = (hop: { host: string; port: number; user: string }): JumpHostAuth =>
    saved?.jumpHost.via.find((before) => before.host === hop.host && before.port === hop.port && before.user === hop.user)?.auth ?? auth;
  const takenTargetIds = new Set(draft.targets.flatMap((target) => (target.id ? [target.id] : [])));
  const candidate = {
    id: id ?? uniqueSlug(draft.name, takenProfileIds),
    name: draft.name.trim(),
    jumpHost: {
      host: draft.host.trim(),
      port: wholeNumber(draft.port, 'jumpHost.port', errors),
      user: draft.user.trim(),
      auth,
      via: parseVia(draft.via, draft.user.trim(), errors).map((hop) => ({ ...hop, auth: hopAuth(hop) })),
    },
    aws: {
      ...(draft.awsProfile.trim() ? { profile: draft.awsProfile.trim() } : {}),
      region: draft.region.trim() || DEFAULT_AWS_REGION,
      ...(draft.securityGroupId.trim() ? { securityGroupId: draft.securityGroupId.trim() } : {}),
      ...(draft.instanceId.trim() ? { jumpHostInstanceId: draft.instanceId.trim() } : {}),
    },
    options: {
      ...saved?.options,
      keepaliveIntervalSeconds: wholeNumber(draft.keepalive, 'options.keepaliveIntervalSeconds', errors),
      autoConnect: draft.autoConnect,
      idleAutoCloseMinutes: wholeNumber(draft.idleMinutes, 'options.idleAutoCloseMinutes', errors),
      allowSshRsaSha1: draft.allowSshRsaSha1,
    },
    targets: draft.targets.map((target, index) => {
      const targetId = target.id ?? uniqueSlug(target.name, takenTargetIds, 'target');
      takenTargetIds.add(targetId);
      const at = `targets.${index}`;
      return {
        id: targetId,
        name: target.name.trim(),
        engine: target.engine,
        remote:
          target.remoteKind === 'host'
            ? { kind: 'host' as const, host: target.host.trim(), port: wholeNumber(target.port, `${at}.remote.port`, errors) }
            : { kind: 'rds' as const, identifier: target.identifier.trim(), endpoint: target.endpoint },
        localPort: wholeNumber(target.localPort, `${at}.localPort`, errors),
        ...(target.database.trim() ? { database: target.database.trim() } : {}),
        ...(target.username.trim() ? { username: target.username.trim() } : {}),
        secret:
          target.secretKind === 'secrets-manager'
            ? { kind: 'secrets-manager' as const, secretId: target.secretId.trim() }
            : { kind: target.secretKind },
      };
    }),
  };
  // The schema checks this too, but only once every other field is valid; saying it now saves a round.
  const seenPorts = new Set<number>();
  candidate.targets.forEach((target, index) => {
    if (target.localPort === undefined) return;
    if (seenPorts.has(target.localPort)) errors[`targets.${index}.localPort`] = `Local port ${target.localPort} is used twice.`;
    seenPorts.add(target.localPort);
  });
  const parsed = ProfileSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      errors[field] ??= sentence(issue as { code: string; message: string });
    }
  }
  return Object.keys(errors).length > 0 || !parsed.success ? { errors } : { profile: parsed.data, errors };
}
