import type { Handlers } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import type { ServiceContext } from '../serviceContext';
import { hostKeyFromBlob, sshFingerprint } from './knownHosts';

/** Pin a jump box's host key the user confirmed by its fingerprint. */
export function hostKeyHandlers({ pool }: ServiceContext): Pick<Handlers, 'hostKeys:trust'> {
  return {
    'hostKeys:trust': async ({ host, port, publicKey, replace }) => {
      let key;
      try {
        key = hostKeyFromBlob(Buffer.from(publicKey, 'base64'));
      } catch {
        throw new JumpgateError('BAD_REQUEST', 'That is not an SSH host key.', { hint: 'Trust the key exactly as Jumpgate presented it.' });
      }
      await pool.trustHostKey(host, port, key, { replace });
      return { fingerprint: sshFingerprint(key.blob) };
    },
  };
}
