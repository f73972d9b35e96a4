import { createOsClipboard, ClipboardGuard } from '../../core/secrets/clipboardGuard';
import { findProfile, findTargets, unwrap, type CliSession } from '../session';

/**
 * `jumpgate password <profile> <target>`: the current password from Secrets
 * Manager, printed, or (`--copy`, the default on a terminal) put on the
 * clipboard and cleared after `--clear-after` seconds if it is still there.
 */
export async function password(session: CliSession, profileName: string, targetName: string, options: { copy?: boolean; clearAfter: string }): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const [target] = findTargets(profile, [targetName]);
  const copy = options.copy ?? Boolean(process.stdout.isTTY);
  const { password: secret } = unwrap(
    await session.invoke('secrets:revealPassword', { profileId: profile.id, targetId: target?.id ?? targetName, purpose: copy ? 'cliClipboard' : 'print' }),
  );
  if (!copy) {
    process.stdout.write(`${secret}\n`);
    return 0;
  }
  const seconds = Number(options.clearAfter);
  const guard = new ClipboardGuard(createOsClipboard());
  const pending = await guard.copy(secret, { label: `Password for ${profile.name} / ${target?.name}`, clearAfterMs: seconds * 1000 });
  process.stderr.write(`Copied. The clipboard is cleared in ${seconds} s (if it still holds the password); Ctrl-C clears it now.\n`);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, pending.clearsAt - Date.now()) + 50);
    const now = (): void => {
      clearTimeout(timer);
      resolve();
    };
    process.once('SIGINT', now);
    process.once('SIGTERM', now);
  });
  await guard.dispose();
  return 0;
}
