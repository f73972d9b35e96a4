/**
 * Set-up the bench's scripts share (run.ts with latency.ts, timeline.ts): its helper processes,
 * each started until it says it is ready, and the jump box's host keys pinned where the engine
 * will reach it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { SshdPeer } from '../e2e/rig/sshd';
import { hostKeyFromBlob, type KnownHostsStore } from '../electron/core/ssh/knownHosts';

export interface ReadyChild {
  child: ChildProcess;
  /** The process's `ready` message (a listening port, say). */
  message: Record<string, unknown>;
}

/** Fork `path` and resolve once it sends a message of type `ready`; reject if it exits first. */
export function forkUntilReady(path: string, args: string[], ready: string, execArgv: string[] = []): Promise<ReadyChild> {
  const child = fork(path, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  return new Promise((resolveReady, reject) => {
    child.once('exit', (code) => reject(new Error(`${path} exited with ${code} before it was ready`)));
    child.on('message', (message: Record<string, unknown>) => {
      if (message.type === ready) resolveReady({ child, message });
    });
  });
}

/** Pin every host key of `sshd` for `port` (its own, or a relay's in front of it), as a user who accepted them would have. */
export async function pinSshdHostKeys(knownHosts: KnownHostsStore, sshd: SshdPeer, port: number = sshd.port): Promise<void> {
  for (const hostKey of sshd.hostKeys) {
    await knownHosts.pin(sshd.host, port, hostKeyFromBlob(Buffer.from(hostKey.publicKey.split(' ')[1] ?? '', 'base64')));
  }
}
