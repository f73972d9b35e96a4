import { findProfile, unwrap, type CliSession } from '../session';

/** `jumpgate allow-ip <profile> [--remove]`: check, add or replace, or remove my IP on the jump box's security group. */
export async function allowIp(session: CliSession, profileName: string, options: { remove?: boolean; label?: string; check?: boolean }): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const label = options.label ? { label: options.label } : {};
  if (options.remove) {
    const { revoked } = unwrap(await session.invoke('aws:removeMyIp', { profileId: profile.id, ...label }));
    process.stdout.write(revoked.length > 0 ? `Removed ${revoked.map((rule) => `${rule.cidr} from ${rule.groupId}`).join(', ')}\n` : 'No rule of yours to remove.\n');
    return 0;
  }
  const access = unwrap(await session.invoke('aws:checkAccess', { profileId: profile.id }));
  if (options.check) {
    process.stdout.write(`${access.ip} is ${access.allowed ? '' : 'NOT '}allowed on port 22 in ${access.checkedGroupIds.join(', ')}\n`);
    return access.allowed ? 0 : 1;
  }
  const result = unwrap(await session.invoke('aws:allowMyIp', { profileId: profile.id, ...label }));
  const replaced = result.revoked.length > 0 ? ` (replaced ${result.revoked.map((rule) => rule.cidr).join(', ')})` : '';
  process.stdout.write(`${result.outcome}: ${result.rule.cidr} on port 22 in ${result.rule.groupId} "${result.rule.description ?? ''}"${replaced}\n`);
  return 0;
}
