import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Handlers } from '../../../shared/contract';
import type { ServiceContext } from '../serviceContext';
import { isKeyEncrypted, loadPrivateKeyFile, readKeyFile, readPublicKeyFile } from '../ssh/keyLoader';
import { defaultIdentity } from './defaultIdentity';
import { generateKey } from './keyGenerator';

/**
 * The Keys screen's channels: make a key pair for a new starter, or read an
 * existing key (OpenSSH or PuTTY) to show the public line the administrator needs;
 * and which key a new login uses unless the user says otherwise.
 */
export function keyHandlers({ passphrases, settings }: Pick<ServiceContext, 'passphrases' | 'settings'>): Pick<Handlers, 'keys:generate' | 'keys:inspect' | 'keys:defaultIdentity'> {
  return {
    'keys:generate': async ({ type, path, passphrase, comment }) => {
      const made = await generateKey({ type, path, comment, ...(passphrase ? { passphrase } : {}) });
      // Issue #16: the passphrase was just typed twice; the first connect with this key does not ask
      // a third time. Kept in this session's memory only (as a typed answer to the connect question
      // is), never in the keychain unless the user asks there.
      if (passphrase) passphrases.rememberForSession([made.privatePath, path.trim()], passphrase);
      // The key to log in with from now on, unless the user names another; a settings file that
      // cannot be written costs only that default, not the key just made.
      await settings.recordCreatedKey(made.privatePath).catch(() => undefined);
      return made;
    },
    'keys:inspect': async ({ path, passphrase, publicOnly }) => {
      // The line to send needs no passphrase where the file keeps it in the clear (issue #13: the checklist).
      if (publicOnly && !passphrase) return readPublicKeyFile(path);
      const key = await loadPrivateKeyFile(path, passphrase ? { passphrase } : {});
      // The loader has just read it, so it exists; read again only to say whether it is protected.
      const bytes = await readKeyFile(path);
      const encrypted = isKeyEncrypted(bytes);
      bytes.fill(0);
      return { format: key.format, type: key.type, comment: key.comment, publicKey: key.publicKey, fingerprint: key.fingerprint, encrypted };
    },
    'keys:defaultIdentity': async () => defaultIdentity(settings.get().lastCreatedKey, join(homedir(), '.ssh')),
  };
}
