import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResponseOf } from '../../../shared/contract';
import { expandHome } from '../platform/homePath';

/**
 * The private keys looked for in ~/.ssh, in order: the one Jumpgate's Keys screen proposes first,
 * then OpenSSH's default identities in the order ssh(1) tries them (ed25519, ECDSA, RSA).
 */
export const DEFAULT_KEY_NAMES = ['jumpgate_ed25519', 'id_ed25519', 'id_ecdsa', 'id_rsa'] as const;

/**
 * The key a new login uses unless the user says otherwise (issue #16): the one last made in
 * Jumpgate if it is still there, else the first default identity that exists, else the agent.
 * A path that is not a regular file (removed, a directory) is passed over.
 */
export async function defaultIdentity(lastCreated: string | undefined, sshDir: string): Promise<ResponseOf<'keys:defaultIdentity'>> {
  if (lastCreated !== undefined && (await isFile(expandHome(lastCreated)))) return { keyPath: lastCreated, source: 'created' };
  for (const name of DEFAULT_KEY_NAMES) {
    const path = join(sshDir, name);
    if (await isFile(path)) return { keyPath: path, source: 'found' };
  }
  return { source: 'agent' };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
