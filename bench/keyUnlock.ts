/**
 * The `unlock` section of `npm run bench` (issue #17): how long unlocking an encrypted key takes
 * in Jumpgate (the key loader, its KDF on a worker thread) against the tools that wrote the key
 * doing the same: `ssh-keygen -y` for OpenSSH keys, `puttygen -O private-openssh` (which decrypts)
 * for PPK files.
 * The tools' figures include starting their process (a few ms); Jumpgate's are in-process.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeOpenSshKey, makePuttyKey, type RigKey } from '../e2e/rig/keys';
import { peerPath, peersAvailable } from '../e2e/rig/peers';
import { loadPrivateKeyFile } from '../electron/core/ssh/keyLoader';
import { summarize, type Summary } from './stats';

const run = promisify(execFile);
const PASSPHRASE = 'unlock bench';

export interface UnlockRow {
  name: string;
  jumpgate: Summary;
  tool: { name: string; summary: Summary };
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

export async function keyUnlockBench(options: { work: string; reps: number; log: (line: string) => void }): Promise<UnlockRow[]> {
  if (!peersAvailable('ssh-keygen', 'puttygen')) {
    options.log('unlock: skipped (needs ssh-keygen and puttygen)');
    return [];
  }
  const { work, log } = options;
  const reps = options.reps + 2;
  const passFile = join(work, 'unlock-pass');
  writeFileSync(passFile, PASSPHRASE, { mode: 0o600 });
  const sshKeygen = (key: RigKey) => () => run(peerPath('ssh-keygen'), ['-y', '-P', PASSPHRASE, '-f', key.privatePath]);
  const noPassphrase = join(work, 'unlock-empty');
  writeFileSync(noPassphrase, '', { mode: 0o600 });
  // The private key out in OpenSSH form: puttygen must decrypt it (the public half of a .ppk is in clear).
  const puttygen = (key: RigKey) => () =>
    run(peerPath('puttygen'), [key.privatePath, '--old-passphrase', passFile, '--new-passphrase', noPassphrase, '-O', 'private-openssh', '-o', join(work, `unlock-out-${process.hrtime.bigint()}`)]);
  const keys: Array<{ name: string; key: RigKey; tool: string; toolRun: (key: RigKey) => () => Promise<unknown> }> = [
    { name: 'OpenSSH ed25519, bcrypt 16 rounds (ssh-keygen default)', key: await makeOpenSshKey(work, { type: 'ed25519', format: 'openssh', passphrase: PASSPHRASE }), tool: 'ssh-keygen -y', toolRun: sshKeygen },
    { name: 'OpenSSH ed25519, bcrypt 100 rounds (ssh-keygen -a 100)', key: await makeOpenSshKey(work, { type: 'ed25519', format: 'openssh', passphrase: PASSPHRASE, rounds: 100 }), tool: 'ssh-keygen -y', toolRun: sshKeygen },
    { name: 'PPK v3 ed25519, Argon2id (puttygen defaults)', key: await makePuttyKey(work, { type: 'ed25519', ppkVersion: 3, passphrase: PASSPHRASE }), tool: 'puttygen -O private-openssh', toolRun: puttygen },
    { name: 'PPK v2 RSA 2048 (PuTTY 0.70-era files)', key: await makePuttyKey(work, { type: 'rsa', bits: 2048, ppkVersion: 2, passphrase: PASSPHRASE }), tool: 'puttygen -O private-openssh', toolRun: puttygen },
  ];
  const rows: UnlockRow[] = [];
  for (const entry of keys) {
    const ours: number[] = [];
    const theirs: number[] = [];
    // Alternating, so a busy moment on this shared machine falls on both.
    for (let rep = 0; rep < reps; rep++) {
      ours.push(await timed(() => loadPrivateKeyFile(entry.key.privatePath, { passphrase: PASSPHRASE })));
      theirs.push(await timed(entry.toolRun(entry.key)));
    }
    rows.push({ name: entry.name, jumpgate: summarize(ours), tool: { name: entry.tool, summary: summarize(theirs) } });
    log(`unlock: ${entry.name}: jumpgate ${summarize(ours).median.toFixed(0)} ms, ${entry.tool} ${summarize(theirs).median.toFixed(0)} ms`);
  }
  return rows;
}

export function renderUnlockMarkdown(rows: readonly UnlockRow[], format: (summary: Summary) => string): string {
  return [
    '| key (right passphrase) | Jumpgate ms | the tool ms | tool | ratio |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.name} | ${format(row.jumpgate)} | ${format(row.tool.summary)} | \`${row.tool.name}\` | ${(row.jumpgate.median / row.tool.summary.median).toFixed(2)}x |`),
  ].join('\n');
}
