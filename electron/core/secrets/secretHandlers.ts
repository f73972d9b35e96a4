import type { Handlers } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import { engineFamily } from '../../../shared/model/profile';
import type { ServiceContext } from '../serviceContext';
import type { ClipboardGuard } from './clipboardGuard';
import { buildConnectionStrings } from './connectionStrings';

type SecretChannels =
  | 'secrets:copyPassword'
  | 'secrets:revealPassword'
  | 'secrets:copyConnectionString'
  | 'secrets:clearClipboard'
  | 'keychain:forgetPassphrase';

const FORMAT_NAMES = { url: 'Connection URL', prisma: 'Prisma DATABASE_URL', jdbc: 'JDBC URL' } as const;

/**
 * Database passwords fetched from Secrets Manager when asked and handed over
 * (clipboard, screen) without being kept; key passphrases forgotten on request.
 */
export function secretHandlers({ profiles, aws, clipboard, passphrases }: ServiceContext): Pick<Handlers, SecretChannels> {
  function requireClipboard(): ClipboardGuard {
    if (!clipboard) {
      throw new JumpgateError('CLIPBOARD_UNAVAILABLE', 'There is no clipboard here.', {
        hint: 'Use "Reveal" to see the password, or jumpgate password without --copy.',
      });
    }
    return clipboard;
  }
  const clearAfter = (seconds: number | undefined) => (seconds ? { clearAfterMs: seconds * 1000 } : {});

  return {
    'secrets:copyPassword': async ({ profileId, targetId, clearAfterSeconds }) => {
      const guard = requireClipboard();
      const { profile, target } = profiles.getTarget(profileId, targetId);
      const { password } = await aws.credentialsFor(profile, target);
      return guard.copy(password, { label: `Password for ${profile.name} / ${target.name}`, ...clearAfter(clearAfterSeconds) });
    },
    'secrets:revealPassword': async ({ profileId, targetId }) => {
      const { profile, target } = profiles.getTarget(profileId, targetId);
      const { username, password } = await aws.credentialsFor(profile, target);
      return { username, password };
    },
    'secrets:copyConnectionString': async ({ profileId, targetId, format, clearAfterSeconds }) => {
      const guard = requireClipboard();
      const { profile, target } = profiles.getTarget(profileId, targetId);
      const credentials = await aws.credentialsFor(profile, target);
      const database = target.database ?? credentials.dbname;
      const strings = buildConnectionStrings({
        family: engineFamily(target.engine),
        port: target.localPort,
        username: credentials.username,
        password: credentials.password,
        ...(database ? { database } : {}),
      });
      const text = format === 'jdbc' ? strings.jdbc : format === 'prisma' ? strings.prismaDatabaseUrl : strings.url;
      return guard.copy(text, { label: `${FORMAT_NAMES[format]} for ${profile.name} / ${target.name}`, ...clearAfter(clearAfterSeconds) });
    },
    'secrets:clearClipboard': async () => {
      await clipboard?.clearNow();
      return null;
    },
    'keychain:forgetPassphrase': async ({ keyPath }) => ({ deleted: await passphrases.forget(keyPath) }),
  };
}
