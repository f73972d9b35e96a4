import { findProfile, findTargets, unwrap, type CliSession } from '../session';

const MARKS = { pass: '✓', fail: '✗', skip: '-' } as const;

/** `jumpgate doctor <profile> [target]`: the ordered checks with pass/fail and hints; non-zero at the first failure. */
export async function doctor(session: CliSession, profileName: string, targetName: string | undefined, options: { json?: boolean }): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const target = targetName ? findTargets(profile, [targetName])[0] : undefined;
  const report = unwrap(await session.invoke('diagnostics:run', { profileId: profile.id, ...(target ? { targetId: target.id } : {}) }));
  if (options.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    for (const check of report.checks) {
      process.stdout.write(`${MARKS[check.status]} ${check.title}: ${check.detail}\n`);
      if (check.error) process.stdout.write(`    ${check.error.code}${check.error.hint ? `, hint: ${check.error.hint}` : ''}\n`);
    }
  }
  return report.firstFailure ? 1 : 0;
}
