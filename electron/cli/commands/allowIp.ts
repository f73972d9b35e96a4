import { jumpBoxSshPort } from '../../../shared/model/profile';
import type { ResponseOf } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/model/errors';
import { CliFailure, findProfile, unwrap, type CliSession } from '../session';

export interface AllowIpOptions {
  remove?: boolean;
  label?: string;
  check?: boolean;
  /** The public IPv4 address to use instead of the lookup (issue #13: for networks where the lookup fails). */
  ip?: string;
}

/** Like unwrap, but an --ip the service refuses is a usage error (exit 2), as an unknown profile is. */
function unwrapGiven<T>(reply: { ok: true; value: T } | { ok: false; error: ErrorInfo }): T {
  if (!reply.ok && reply.error.code === 'PUBLIC_IP_INVALID') throw new CliFailure(reply.error, 2);
  return unwrap(reply);
}

/**
 * `jumpgate allow-ip <profile> [--check | --remove] [--label <label>] [--ip <address>]`: check, add or
 * replace, or remove my IP on the jump box's security group. `--ip` gives the address instead of asking
 * the public-IP service; the service checks it is a public IPv4 address. `--remove` needs no address
 * (the rule is found by its label).
 */
export async function allowIp(session: CliSession, profileName: string, options: AllowIpOptions): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const label = options.label ? { label: options.label } : {};
  const given = options.ip !== undefined ? { ip: options.ip } : {};
  const port = jumpBoxSshPort(profile);
  if (options.remove) {
    const { revoked } = unwrap(await session.invoke('aws:removeMyIp', { profileId: profile.id, ...label }));
    process.stdout.write(revoked.length > 0 ? `Removed ${revoked.map((rule) => `${rule.cidr} from ${rule.groupId}`).join(', ')}\n` : 'No rule of yours to remove.\n');
    return 0;
  }
  const access = unwrapGiven(await session.invoke('aws:checkAccess', { profileId: profile.id, ...given }));
  if (options.check) {
    process.stdout.write(`${access.ip} is ${access.allowed ? '' : 'NOT '}allowed on port ${port} in ${access.checkedGroupIds.join(', ')}\n${rulesText(access.rules, port)}`);
    return access.allowed ? 0 : 1;
  }
  const result = unwrapGiven(await session.invoke('aws:allowMyIp', { profileId: profile.id, ...label, ...given }));
  const replaced = result.revoked.length > 0 ? ` (replaced ${result.revoked.map((rule) => rule.cidr).join(', ')})` : '';
  const migrated = result.migrated ? ` (your rule from an older Jumpgate, "${result.migrated.description ?? ''}", now carries your AWS identity)` : '';
  process.stdout.write(`${result.outcome}: ${result.rule.cidr} on port ${result.rule.fromPort ?? port} in ${result.rule.groupId} "${result.rule.description ?? ''}"${replaced}${migrated}\n`);
  // The group is shared (issue #17): which of the rules for the port are yours, after the change.
  const after = unwrapGiven(await session.invoke('aws:checkAccess', { profileId: profile.id, ip: result.ip }));
  process.stdout.write(rulesText(after.rules, port));
  return 0;
}

type OwnedRules = ResponseOf<'aws:checkAccess'>['rules'];

/** The rules that let addresses reach the port, one a line, each marked as yours (your AWS identity and OS user) or someone else's. */
export function rulesText(rules: OwnedRules, port: number): string {
  if (rules.length === 0) return '';
  const width = Math.max(...rules.map((rule) => rule.cidr.length));
  const lines = rules.map((rule) => `  ${rule.yours ? 'yours         ' : "someone else's"}  ${rule.cidr.padEnd(width)}  ${rule.groupId}${rule.description ? `  "${rule.description}"` : ''}`);
  return `Rules for port ${port}:\n${lines.join('\n')}\n`;
}
