// The static checks `npm test` runs before vitest, side by side instead of one after another:
// each is one single-threaded process, so on a 2-core machine two at a time finish in about the
// time of the longest. The checks themselves are the package.json scripts named below (one source
// of truth); each one's output is printed whole when it ends, so two logs never interleave.
// Exits non-zero if any check failed, after letting the others finish so every error is shown.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import process from 'node:process';

// Longest first, so the long one starts at once and the short ones share the other core.
const CHECKS = ['typecheck:node', 'lint', 'typecheck:web', 'cycles'];
const parallel = Math.max(1, Math.min(Number(process.env.JUMPGATE_CHECKS_PARALLEL) || availableParallelism(), CHECKS.length));

function runCheck(name) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => (output += `${error.message}\n`));
    child.once('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const status = code === 0 ? 'ok' : `FAILED (exit ${code})`;
      process.stdout.write(`\n> ${name}: ${status} in ${seconds} s\n${output.trimEnd() ? `${output.trimEnd()}\n` : ''}`);
      resolve(code === 0);
    });
  });
}

const queue = [...CHECKS];
const results = [];
async function worker() {
  for (let name = queue.shift(); name; name = queue.shift()) results.push(await runCheck(name));
}
await Promise.all(Array.from({ length: parallel }, worker));
if (results.includes(false)) {
  process.stdout.write('\nchecks failed\n');
  process.exit(1);
}
