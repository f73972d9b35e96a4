import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { peerPath } from './peers';

const run = promisify(execFile);

export type HostKeyType = 'ed25519' | 'rsa' | 'ecdsa';

/** A host key pair as ssh-keygen wrote it: the private key file's text and the public line. */
export interface HostKeyFiles {
  privateKey: string;
  publicKey: string;
}

/** ssh-keygen for one host key; RSA at 3072 bits, what a current OpenSSH server generates. */
export async function generateHostKey(type: HostKeyType, path: string): Promise<void> {
  const bits = type === 'rsa' ? ['-b', '3072'] : [];
  await run(peerPath('ssh-keygen'), ['-q', '-t', type, ...bits, '-N', '', '-f', path]);
}

/**
 * Host keys for the run's jump boxes, made once and handed out again: a 3072-bit RSA key costs
 * ssh-keygen about half a CPU second, and a run starts dozens of sshds. Within one holder (one
 * test file's process) every request gets a key it has not had before, so two jump boxes of one
 * file, or one jump box before and after regenerateHostKeys, never share a key, exactly as with
 * fresh keys. Different files may get the same key: each file's clients trust keys in a
 * known_hosts of their own, so no file can tell.
 */
export class HostKeyStock {
  private readonly made = new Map<HostKeyType, Array<Promise<HostKeyFiles> | undefined>>();
  private readonly handedOut = new Map<string, number>();

  constructor(private readonly dir: string) {}

  next(type: HostKeyType, holder: string): Promise<HostKeyFiles> {
    const slot = `${holder}/${type}`;
    const index = this.handedOut.get(slot) ?? 0;
    this.handedOut.set(slot, index + 1);
    const keys = this.made.get(type) ?? [];
    this.made.set(type, keys);
    const existing = keys[index];
    if (existing) return existing;
    const making = this.make(type, index);
    keys[index] = making;
    // A failed ssh-keygen is not kept: the next holder to reach this slot tries again.
    making.catch(() => keys[index] === making && (keys[index] = undefined));
    return making;
  }

  private async make(type: HostKeyType, index: number): Promise<HostKeyFiles> {
    const path = join(this.dir, `ssh_host_${type}_key_${index}`);
    await generateHostKey(type, path);
    const [privateKey, publicKey] = await Promise.all([readFile(path, 'utf8'), readFile(`${path}.pub`, 'utf8')]);
    return { privateKey, publicKey };
  }
}
