import type { Handlers } from '../../../shared/contract';
import { isKeyEncrypted, loadPrivateKeyFile, readKeyFile, readPublicKeyFile } from '../ssh/keyLoader';
import { generateKey } from './keyGenerator';

/**
 * The Keys screen's channels: make a key pair for a new starter, or read an
 * existing key (OpenSSH or PuTTY) to show the public line the administrator needs.
 */
export function keyHandlers(): Pick<Handlers, 'keys:generate' | 'keys:inspect'> {
  return {
    'keys:generate': async ({ type, path, passphrase, comment }) => generateKey({ type, path, comment, ...(passphrase ? { passphrase } : {}) }),
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
  };
}
