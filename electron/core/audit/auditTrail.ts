import type { RequestChannel } from '../../../shared/channels';
import { CONNECTION_STRING_FORMAT_NAMES, type ParsedRequestOf, type RequestOf, type ResponseOf } from '../../../shared/contract';
import type { AuditKind } from '../../../shared/model/audit';
import type { Handlers } from '../../../shared/contract';
import type { AuditLog } from './auditLog';

type Names = (profileId: string, targetId?: string) => { profile: string; target: string };

interface Recorded {
  kind: AuditKind;
  detail: string;
  profileId?: string;
  targetId?: string;
}

type Describe<C extends RequestChannel> = (request: ParsedRequestOf<C>, response: ResponseOf<C>, names: Names) => Recorded[];

/**
 * Which successful requests leave a line in the audit log, and what it says.
 * Built from the request's ids and the response's names, ports, IPs and
 * fingerprints: the channels that carry a secret (reveal, copy) are described
 * by what was done, never by the value.
 */
/** What handing a secret over for `purpose` was, as the audit log says it. */
function revealed(what: string, purpose: RevealPurpose | undefined): { kind: AuditKind; detail: string } {
  switch (purpose) {
    case 'pageClipboard':
      return { kind: 'password-copied', detail: `${what} (copied by the browser page, which clears it)` };
    case 'cliClipboard':
      return { kind: 'password-copied', detail: `${what} (copied by jumpgate password, which clears it)` };
    case 'print':
      return { kind: 'password-revealed', detail: `${what} printed by jumpgate password --no-copy` };
    case 'exec':
      return { kind: 'password-used', detail: `${what} handed to a command by jumpgate exec (masked in its output)` };
    default:
      return { kind: 'password-revealed', detail: `${what} shown on screen` };
  }
}

type RevealPurpose = NonNullable<RequestOf<'secrets:revealPassword'>['purpose']>;


const TRAIL: { [C in RequestChannel]?: Describe<C> } = {
  'tunnels:start': ({ profileId, targetId }, entry, names) => [opened(profileId, targetId, entry.endpoint, names)],
  'tunnels:startProfile': ({ profileId }, entries, names) => entries.map((entry) => opened(profileId, entry.id.split('/')[1] ?? '', entry.endpoint, names)),
  'tunnels:stop': ({ profileId, targetId }, _none, names) => [
    { kind: 'tunnel-closed', detail: `${names(profileId, targetId).profile} / ${names(profileId, targetId).target}`, profileId, targetId },
  ],
  'tunnels:stopProfile': ({ profileId }, _none, names) => [{ kind: 'tunnel-closed', detail: `${names(profileId).profile}: every target`, profileId }],
  'secrets:copyPassword': ({ profileId, targetId }, pending) => [{ kind: 'password-copied', detail: `${pending.label} (clipboard cleared at ${new Date(pending.clearsAt).toISOString()})`, profileId, targetId }],
  'secrets:revealPassword': ({ profileId, targetId, purpose }, _credentials, names) => {
    const what = `Password for ${names(profileId, targetId).profile} / ${names(profileId, targetId).target}`;
    return [{ ...revealed(what, purpose), profileId, targetId }];
  },
  'secrets:copyConnectionString': ({ profileId, targetId }, pending) => [{ kind: 'connection-string-copied', detail: pending.label, profileId, targetId }],
  'secrets:revealConnectionString': ({ profileId, targetId, format, purpose }, _text, names) => {
    const what = `${CONNECTION_STRING_FORMAT_NAMES[format]} for ${names(profileId, targetId).profile} / ${names(profileId, targetId).target}`;
    const handed = revealed(what, purpose);
    return [{ ...handed, kind: handed.kind === 'password-copied' ? 'connection-string-copied' : handed.kind, profileId, targetId }];
  },
  'aws:allowMyIp': ({ profileId, ip: given }, result) => [
    { kind: 'ip-allowed', detail: `${result.ip}${given === undefined ? '' : ' (given by the user)'} on port ${result.rule.fromPort ?? 22} of ${result.rule.groupId}: ${result.outcome}${result.revoked.length > 0 ? ` (removed ${result.revoked.map((rule) => rule.cidr).join(', ')})` : ''}`, profileId },
  ],
  'aws:removeMyIp': ({ profileId }, result) => [
    { kind: 'ip-removed', detail: result.revoked.length > 0 ? `Removed ${result.revoked.map((rule) => `${rule.cidr} from ${rule.groupId}`).join(', ')}` : 'No rule of mine to remove', profileId },
  ],
  'aws:restoreSnapshot': ({ profileId }, restored) => [
    { kind: 'snapshot-restored', detail: `${restored.snapshotIdentifier} restored as new ${restored.kind} ${restored.identifier} (${restored.endpoint.host}:${restored.endpoint.port}); ${restored.sourceIdentifier} untouched`, profileId },
  ],
  'aws:deleteRestored': ({ profileId }, result) => [{ kind: 'restored-deleted', detail: `Deleted ${result.deleted.map((item) => `${item.kind} ${item.identifier}`).join(', ')}`, profileId }],
  'shell:open': ({ profileId }, _shell, names) => [{ kind: 'shell-opened', detail: `Shell on the jump box of ${names(profileId).profile}`, profileId }],
  'shell:close': () => [{ kind: 'shell-closed', detail: 'Shell closed' }],
  'keys:generate': ({ type }, key) => [{ kind: 'key-generated', detail: `${type === 'rsa' ? 'RSA-4096' : 'ed25519'} key ${key.privatePath} (${key.fingerprint})` }],
  'hostKeys:trust': ({ host, port, replace }, result) => [{ kind: 'host-key-trusted', detail: `${host}:${port} ${result.fingerprint}${replace ? ' (replacing a changed key)' : ''}` }],
  'hostKeys:trustPresented': ({ profileId }, result) =>
    result.outcome === 'unchanged'
      ? []
      : [
          {
            kind: 'host-key-trusted',
            detail: `${result.host}:${result.port} ${result.pinned.keyType} ${result.pinned.fingerprint} (${result.outcome === 'replaced' ? `replacing ${keyList(result.replaced)}` : 'confirmed by its fingerprint'}) in ${result.knownHostsPath}`,
            profileId,
          },
        ],
  // Host keys a follow pins were confirmed by the team's administrator, not by this user: the line says which and from where.
  'team:follow': (_request, result) => [
    {
      kind: 'team-followed',
      detail: `${result.source} version ${result.teamRevision}: ${result.profiles.map((profile) => profile.id).join(', ') || 'no profiles'}${result.removed.length > 0 ? `; removed ${result.removed.join(', ')}` : ''}${result.pinned.length > 0 ? `; pinned as published: ${result.pinned.map((key) => `${key.host}:${key.port} ${key.keyType} ${key.fingerprint}`).join(', ')}` : ''}`,
    },
  ],
  'team:publish': ({ profileIds }, result) => [{ kind: 'team-published', detail: `${profileIds.join(', ')} to ${result.source} (version ${result.revision})` }],
  'hostKeys:forget': ({ host, port }, result) =>
    result.removed.length === 0 ? [] : [{ kind: 'host-key-forgotten', detail: `${host}:${port}: removed ${keyList(result.removed)} from ${result.knownHostsPath}` }],
};

/** Keys as `ssh-keygen -l` names them: type and fingerprint. */
function keyList(keys: ReadonlyArray<{ keyType: string; fingerprint: string }>): string {
  return keys.map((key) => `${key.keyType} ${key.fingerprint}`).join(', ');
}

function opened(profileId: string, targetId: string, endpoint: ResponseOf<'tunnels:start'>['endpoint'], names: Names): Recorded {
  const { profile, target } = names(profileId, targetId);
  return {
    kind: 'tunnel-opened',
    detail: `${profile} / ${target}: 127.0.0.1:${endpoint.localPort} -> ${endpoint.remoteHost}:${endpoint.remotePort} via ${endpoint.jumpHost}`,
    profileId,
    targetId,
  };
}

/** The handlers, each recording its audit line once it has succeeded. A failed request records nothing. */
export function withAuditTrail(handlers: Handlers, audit: AuditLog, names: Names): Handlers {
  const wrapped = { ...handlers } as Record<RequestChannel, (request: unknown) => Promise<unknown>>;
  for (const channel of Object.keys(TRAIL) as RequestChannel[]) {
    const describe = TRAIL[channel] as Describe<RequestChannel>;
    const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
    wrapped[channel] = async (request) => {
      const response = await handler(request);
      for (const line of describe(request as never, response as never, names)) {
        const { kind, detail, ...refs } = line;
        await audit.record(kind, detail, refs);
      }
      return response;
    };
  }
  return wrapped as Handlers;
}
