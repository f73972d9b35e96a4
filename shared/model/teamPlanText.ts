import type { DbTarget, Profile } from './profile';

/**
 * How a team plan's changes read (issue #16), one phrase per target, for the CLI and the app alike:
 * what a follower checks before accepting a new version of the team's profiles.
 */

/** Where a target goes, as the jump box sees it: `rds:<identifier>` or `host:port`. */
export function remoteText(target: DbTarget): string {
  return target.remote.kind === 'rds' ? `rds:${target.remote.identifier}${target.remote.endpoint === 'instance' ? '' : ` (${target.remote.endpoint})`}` : `${target.remote.host}:${target.remote.port}`;
}

/** What changed in a profile's targets: `+ id: ...` added, `~ id: a -> b, ...` changed, `- id: ...` removed. */
export function targetChanges(before: Profile, after: Profile): string[] {
  const lines: string[] = [];
  for (const target of after.targets) {
    const old = before.targets.find((entry) => entry.id === target.id);
    if (!old) {
      lines.push(`+ ${target.id}: ${target.engine} ${remoteText(target)} on 127.0.0.1:${target.localPort}`);
      continue;
    }
    const parts: string[] = [];
    if (remoteText(old) !== remoteText(target)) parts.push(`${remoteText(old)} -> ${remoteText(target)}`);
    if (old.localPort !== target.localPort) parts.push(`local port ${old.localPort} -> ${target.localPort}`);
    for (const field of ['name', 'engine', 'database', 'username'] as const) {
      if (old[field] !== target[field]) parts.push(`${field} ${old[field] ?? '(none)'} -> ${target[field] ?? '(none)'}`);
    }
    if (JSON.stringify(old.secret) !== JSON.stringify(target.secret)) parts.push('password source');
    if (parts.length > 0) lines.push(`~ ${target.id}: ${parts.join(', ')}`);
  }
  for (const old of before.targets) if (!after.targets.some((entry) => entry.id === old.id)) lines.push(`- ${old.id}: ${remoteText(old)}`);
  return lines;
}
