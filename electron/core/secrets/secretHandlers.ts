import { CONNECTION_STRING_FORMAT_NAMES, type Handlers, type RequestOf } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import { engineFamily } from '../../../shared/model/profile';
import type { ServiceContext } from '../serviceContext';
import type { ClipboardGuard } from './clipboardGuard';
import { buildConnectionStrings } from './connectionStrings';

type SecretChannels =
  | 'secrets:copyPassword'
  | 'secrets:revealPassword'
  | 'secrets:copyConnectionString'
  | 'secrets:revealConnectionString'
  | 'secrets:clearClipboard'
  | 'keychain:forgetPassphrase';

type ConnectionStringFormat = RequestOf<'secrets:copyConnectionString'>['format'];


/**
 * Database passwords fetched from Secrets Manager when asked and handed over
 * (clipboard, screen) without being kept; key passphrases forgotten on request.
 */
export function secretHandlers({ profiles, aws, clipboard, passphrases }: ServiceContext): Pick<Handlers, SecretChannels> {
  function requireClipboard(): ClipboardGuard {
    if (!clipboard) {
      throw new JumpgateError('CLIPBOARD_UNAVAILABLE', 'There is no clipboard here.', {
        hint: 'Use "Reveal" to see the password, or print it with: jumpgate password <profile> <target> --no-copy',
      });
    }
    return clipboard;
  }
  const clearAfter = (seconds: number | undefined) => (seconds ? { clearAfterMs: seconds * 1000 } : {});
  /** The target's connection string in `format`, for its local port, with the password as Secrets Manager has it now. */
  async function connectionString(profileId: string, targetId: string, format: ConnectionStringFormat): Promise<{ label: string; text: string }> {
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
    return { label: `${CONNECTION_STRING_FORMAT_NAMES[format]} for ${profile.name} / ${target.name}`, text };
  }

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
      const { label, text } = await connectionString(profileId, targetId, format);
      return guard.copy(text, { label, ...clearAfter(clearAfterSeconds) });
    },
    'secrets:revealConnectionString': async ({ profileId, targetId, format }) => ({ text: (await connectionString(profileId, targetId, format)).text }),
    'secrets:clearClipboard': async () => {
      await clipboard?.clearNow();
      return null;
    },
    'keychain:forgetPassphrase': async ({ keyPath }) => ({ deleted: await passphrases.forget(keyPath) }),
  };
}
