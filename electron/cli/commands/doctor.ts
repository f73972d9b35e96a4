import { detailsOf } from '../../../shared/model/errors';
import { trustRequestFor } from '../../../shared/model/hostKeyTrust';
import { findProfile, findTargets, unwrap, type CliSession } from '../session';
import { askPassphrase, canAskPassphrase, EnvPassphraseAnswers, hostKeyTrusted, PASSPHRASE_HINT, passphraseFromEnv, trustHostKeyHint } from '../sshAnswers';

const MARKS = { pass: '✓', fail: '✗', skip: '-' } as const;

export interface DoctorOptions {
  json?: boolean;
  /** Name of an environment variable holding the key's passphrase (for scripts), as for `connect`. */
  passphraseEnv?: string;
  /** A host key fingerprint the user has verified out of band: trusted without a prompt, as for `connect`. */
  trustHostKey?: string;
}

/**
 * `jumpgate doctor <profile> [target]`: the ordered checks with pass/fail and hints; non-zero when
 * one fails. Where the checks stop at the key's passphrase or a first-seen host key, they are
 * answered as `jumpgate connect` answers them (the flags, or a question on a terminal) and the
 * doctor runs again (issue #13: it could not get past an encrypted key).
 */
export async function doctor(session: CliSession, profileName: string, targetName: string | undefined, options: DoctorOptions): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const target = targetName ? findTargets(profile, [targetName])[0] : undefined;
  const fromEnv = new EnvPassphraseAnswers(profile, passphraseFromEnv(options.passphraseEnv));
  let unlock = fromEnv.first();
  const run = () => session.invoke('diagnostics:run', { profileId: profile.id, ...(target ? { targetId: target.id } : {}), ...(unlock ? { unlock } : {}) });
  let report = unwrap(await run());
  const stepError = (id: string) => report.checks.find((check) => check.id === id)?.error;
  // Each turn answers one question: at most four asked here, and the environment's answers (at most
  // twice per key, EnvPassphraseAnswers) besides.
  for (let asked = 0; asked < 4; ) {
    // The jump host's key shows on the key step; an outer ProxyJump hop's key on the host-key step.
    const envAnswer = fromEnv.answer(stepError('key')) ?? fromEnv.answer(stepError('host-key'));
    const keyError = [stepError('key'), stepError('host-key')].find((error) => error && canAskPassphrase(error, fromEnv.present));
    if (envAnswer) {
      unlock = envAnswer;
    } else if (keyError) {
      asked += 1;
      unlock = await askPassphrase(profile, keyError);
    } else {
      asked += 1;
      const hostKeyError = stepError('host-key');
      if (!hostKeyError || detailsOf(hostKeyError, 'HOST_KEY_UNKNOWN') === undefined || !(await hostKeyTrusted(hostKeyError, options.trustHostKey, 'check again'))) break;
      unwrap(await session.invoke('hostKeys:trust', trustRequestFor(hostKeyError)));
    }
    report = unwrap(await run());
  }

  if (options.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    for (const check of report.checks) {
      process.stdout.write(`${MARKS[check.status]} ${check.title}: ${check.detail}\n`);
      if (check.error) process.stdout.write(`    ${check.error.code}${check.error.hint ? `, hint: ${check.error.hint}` : ''}\n`);
    }
  }
  // A question nobody here could answer: say which flag answers it.
  if (stepError('key')?.code === 'PASSPHRASE_REQUIRED' || stepError('host-key')?.code === 'PASSPHRASE_REQUIRED') process.stderr.write(`hint: ${PASSPHRASE_HINT}\n`);
  const unknownHost = stepError('host-key');
  const fingerprint = unknownHost ? detailsOf(unknownHost, 'HOST_KEY_UNKNOWN')?.fingerprint : undefined;
  if (fingerprint !== undefined) process.stderr.write(`hint: ${trustHostKeyHint(fingerprint)}\n`);
  return report.firstFailure ? 1 : 0;
}
