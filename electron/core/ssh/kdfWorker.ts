/**
 * Runs a key file's passphrase derivation (OpenSSH's bcrypt_pbkdf, PuTTY v3's Argon2) on a
 * worker thread, with a time limit (issue #17). Both are deliberately slow and, in the only
 * implementations we have (bcrypt-pbkdf is pure JavaScript, hash-wasm's Argon2 is synchronous
 * WebAssembly), run to completion without yielding: on the main thread a key with many rounds
 * froze every timer, socket and request of the app for seconds.
 *
 * The worker is an inline script (`eval: true`), not a file: the main process, the CLI and the
 * web host are esbuild bundles, and a separate worker file would need its own bundle beside each.
 * The script loads the two libraries by absolute path, resolved here: an eval'd worker's own
 * `require` resolves from the working directory, which is anywhere for the installed CLI.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { JumpgateError } from '../../../shared/model/errors';
import { installedRequire } from '../platform/installedRequire';

export type KdfJob =
  | { kind: 'bcrypt'; passphrase: Buffer; salt: Buffer; rounds: number; length: number }
  | {
      kind: 'argon2';
      flavour: 'argon2id' | 'argon2i' | 'argon2d';
      passphrase: Buffer;
      salt: Buffer;
      memoryKiB: number;
      passes: number;
      parallelism: number;
      length: number;
    };

/**
 * Longer than any key within the bounds takes here (1000 bcrypt rounds: about 25 s; the Argon2
 * bound: about 10 s), so only a much slower machine or a stuck worker reaches it.
 */
export const KDF_TIMEOUT_MS = 120_000;

// Plain JavaScript, run as a CommonJS script in the worker. It sees only workerData.
const WORKER_SOURCE = `
const { parentPort, workerData: job } = require('node:worker_threads');
const done = (key) => { const copy = new Uint8Array(key); parentPort.postMessage({ ok: true, key: copy }, [copy.buffer]); };
const fail = (error) => parentPort.postMessage({ ok: false, message: String(error && error.message || error) });
const pass = Buffer.from(job.passphrase);
try {
  if (job.kind === 'bcrypt') {
    const out = Buffer.alloc(job.length);
    const salt = Buffer.from(job.salt);
    const status = require(job.module).pbkdf(pass, pass.length, salt, salt.length, out, out.length, job.rounds);
    pass.fill(0);
    if (status !== 0) fail('bcrypt_pbkdf failed');
    else done(out);
    out.fill(0);
  } else {
    require(job.module)[job.flavour]({
      password: pass, salt: Buffer.from(job.salt), iterations: job.passes, parallelism: job.parallelism,
      memorySize: job.memoryKiB, hashLength: job.length, outputType: 'binary',
    }).then((key) => { pass.fill(0); done(key); key.fill(0); }, (error) => { pass.fill(0); fail(error); });
  }
} catch (error) {
  pass.fill(0);
  fail(error);
}
`;

/** The file the worker loads for this derivation, as the installed app finds it. */
function modulePath(kind: KdfJob['kind']): string {
  const load = installedRequire();
  // bcrypt-pbkdf is ssh2's own dependency: resolve it from ssh2, which is what parsed keys before.
  return kind === 'bcrypt' ? createRequire(load.resolve('ssh2')).resolve('bcrypt-pbkdf') : load.resolve('hash-wasm');
}

/**
 * Derives `job.length` bytes off the main thread. A derivation that outlives `timeoutMs` is
 * stopped (the worker and its memory go with it) and reported as KEY_KDF_TOO_EXPENSIVE.
 */
export function deriveOffThread(job: KdfJob, what: { format: string; subject: string }, timeoutMs = KDF_TIMEOUT_MS): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...job, module: modulePath(job.kind) } });
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
      void worker.terminate();
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(
          new JumpgateError('KEY_KDF_TOO_EXPENSIVE', `Unlocking ${what.subject} took longer than ${Math.round(timeoutMs / 1000)} s, so it was stopped.`, {
            hint: 'Re-encrypt the key with cheaper settings (ssh-keygen -p -a 100 -f <file>, or PuTTYgen with its default key derivation parameters).',
            details: { format: what.format, kdf: job.kind, timeoutSeconds: Math.round(timeoutMs / 1000) },
          }),
        ),
      );
    }, timeoutMs);
    worker.once('message', (message: { ok: true; key: Uint8Array } | { ok: false; message: string }) => {
      settle(() => (message.ok ? resolve(Buffer.from(message.key.buffer, message.key.byteOffset, message.key.length)) : reject(new Error(`key derivation failed: ${message.message}`))));
    });
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`key derivation worker exited (${code})`))));
  });
}
