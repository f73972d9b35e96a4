/**
 * The `masking` section of `npm run bench` (issue #18: masking cost 0.8 s of CPU
 * per MB; the target is at most 10 % added to a transfer through `jumpgate exec`).
 *
 * Two measurements over 50 MB of realistic output (log lines with hashes and
 * ids, SQL INSERTs with base64 blobs, JSON lines), once with no secret in it and
 * once with an encoded password about every 8 KB:
 * - the SecretMask Transform alone, in this process (MB/s);
 * - `jumpgate exec` end to end (the CLI bundled as it ships, on the rig's sshd
 *   and moto, a TCP echo peer standing for the database) running `cat` of that
 *   output, against the same with `--no-masking`, where `cat` writes straight to
 *   our pipe. Whole run, transfer (first byte to last) and the CPU of jumpgate
 *   and cat together are reported.
 * Variants alternate within each repetition, in reverse order every other one.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Transform } from 'node:stream';
import { awsCliEnv, saveProfiles, seedDbSecret, trustJumpBox } from '../e2e/rig/cliData';
import { pickPort } from '../e2e/rig/daemon';
import { makeOpenSshKey } from '../e2e/rig/keys';
import { startMoto } from '../e2e/rig/moto';
import { SshdPeer } from '../e2e/rig/sshd';
import { startEchoServer } from '../e2e/rig/tcpPeers';
import { secretEncodings } from '../electron/cli/secretEncodings';
import { SecretMask } from '../electron/cli/secretMask';
import { buildCli } from './cliBundle';
import { reapedChildrenCpuSeconds } from './cpuProbe';
import { summarize, type Summary } from './stats';

const USER = 'app_user';
const PASSWORD = 'Zx9!p@ss w/rd-2024#q';
const OUTPUT_BYTES = 50e6;
const CHUNK = 64 * 1024;

export interface MaskingRow {
  name: string;
  unit: string;
  higherIsBetter: boolean;
  masked: Summary;
  /** What the masked figure is compared with, when there is a like-for-like one. */
  baseline?: { name: string; summary: Summary };
}

/** About 1 MB of what migration tools, dumps and app logs print; with `secrets`, one of them every ~8 KB. */
function outputBlock(secrets: readonly string[]): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let line = 0; size < 1e6; line++) {
    const hash = createHash('sha1').update(String(line)).digest('hex');
    const blob = createHash('sha256').update(String(line)).digest('base64');
    const text =
      line % 3 === 0
        ? `2026-12-04T04:25:${String(line % 60).padStart(2, '0')}.123Z INFO  [migrate] applied 2024110${line % 10}_add_orders_index in ${line % 97} ms; rows=${line * 7} hash=${hash}`
        : line % 3 === 1
          ? `INSERT INTO \`orders\` VALUES (${line},'customer-${line % 1000}@example.com','${blob}',${(line * 13) % 10000}.99,'2026-11-${String((line % 28) + 1).padStart(2, '0')} 12:00:00');`
          : JSON.stringify({ level: 'debug', msg: 'query', sql: 'SELECT * FROM orders WHERE id = ?', params: [line], ms: line % 17, trace: hash.slice(0, 16) });
    const withSecret = secrets.length > 0 && line % 60 === 59 ? `${text} password=${secrets[(line / 60) % secrets.length | 0]}` : text;
    lines.push(withSecret);
    size += withSecret.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n');
}

/** `bytes` of output made of `block` repeated, cut into pipe-sized chunks. */
function chunksOf(block: Buffer, bytes: number): Buffer[] {
  const all = Buffer.concat(Array.from({ length: Math.ceil(bytes / block.length) }, () => block)).subarray(0, bytes);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < all.length; offset += CHUNK) chunks.push(all.subarray(offset, offset + CHUNK));
  return chunks;
}

/** MB/s of one Transform over the chunks, written as fast as it reads. */
async function transformRate(transform: Transform, chunks: readonly Buffer[]): Promise<number> {
  let bytes = 0;
  transform.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const ended = once(transform, 'end');
  const t0 = performance.now();
  for (const chunk of chunks) {
    if (!transform.write(chunk)) await once(transform, 'drain');
  }
  transform.end();
  await ended;
  const ms = performance.now() - t0;
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0) / 1e6 / (ms / 1000);
}

interface ExecRun {
  wholeMs: number;
  transferMs: number;
  /** jumpgate's and cat's CPU together. */
  cpuSeconds: number;
  bytes: number;
  sha256: string;
}

function runExec(cliPath: string, env: NodeJS.ProcessEnv, file: string, masking: boolean): Promise<ExecRun> {
  const t0 = performance.now();
  const cpuBefore = reapedChildrenCpuSeconds();
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof") profiles jumpgate, as run.ts does its forked processes.
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, cliPath, 'exec', 'bench', ...(masking ? [] : ['--no-masking']), '--', 'cat', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const digest = createHash('sha256');
  let bytes = 0;
  let first = 0;
  let last = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    if (bytes === 0) first = performance.now();
    bytes += chunk.length;
    last = performance.now();
    digest.update(chunk);
  });
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => {
      if (code !== 0) fail(new Error(`jumpgate exec exited ${code}`));
      else done({ wholeMs: performance.now() - t0, transferMs: last - first, cpuSeconds: reapedChildrenCpuSeconds() - cpuBefore, bytes, sha256: digest.digest('hex') });
    });
  });
}

export async function maskingBench(options: { work: string; buildDir: string; reps: number; log: (line: string) => void; check: (ok: boolean, what: string) => void }): Promise<MaskingRow[]> {
  const { work, reps, log, check } = options;
  // A run of exec is about a second, most of it start-up and the SSH login, and this 2-core VM is
  // shared: a few more repetitions steady the medians at no great cost.
  const execReps = reps + 2;
  const needles = secretEncodings(PASSWORD, USER);
  const plain = chunksOf(outputBlock([]), OUTPUT_BYTES);
  const withSecrets = chunksOf(outputBlock(needles), OUTPUT_BYTES);
  const rows: MaskingRow[] = [];
  const row = (name: string, unit: string, higherIsBetter: boolean, masked: number[], baseline?: { name: string; values: number[] }): void => {
    rows.push({ name, unit, higherIsBetter, masked: summarize(masked), ...(baseline ? { baseline: { name: baseline.name, summary: summarize(baseline.values) } } : {}) });
  };

  // The Transform alone. No baseline column: a PassThrough only hands references on.
  for (const [label, chunks] of [
    ['no secret in it', plain],
    [`an encoded password every ~8 KB (${needles.length} needles)`, withSecrets],
  ] as const) {
    const rates: number[] = [];
    for (let rep = 0; rep < reps; rep++) rates.push(await transformRate(new SecretMask(needles, { idleFlushMs: null }), chunks));
    row(`SecretMask Transform alone, 50 MB, ${label}`, 'MB/s', true, rates);
  }
  log('masking: Transform done');

  // `jumpgate exec` end to end.
  const cliPath = await buildCli(options.buildDir);
  const key = await makeOpenSshKey(work, { type: 'ed25519', format: 'openssh' });
  const [moto, sshd, database] = await Promise.all([startMoto(), SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
  try {
    await seedDbSecret(moto, 'bench/db', { username: USER, password: PASSWORD });
    const dataDir = join(work, 'masking-data');
    await saveProfiles(dataDir, {
      id: 'bench',
      name: 'Bench',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
      aws: { region: 'eu-west-2' },
      targets: [{ id: 'db', name: 'DB', engine: 'mariadb', remote: { kind: 'host', host: '127.0.0.1', port: database.port }, localPort: await pickPort(), secret: { kind: 'secrets-manager', secretId: 'bench/db' } }],
    });
    await trustJumpBox(dataDir, sshd);
    const env = awsCliEnv(moto, dataDir);
    for (const [label, chunks] of [
      ['no secret in it', plain],
      ['an encoded password every ~8 KB', withSecrets],
    ] as const) {
      const file = join(work, `output-${chunks === plain ? 'plain' : 'secrets'}.txt`);
      writeFileSync(file, Buffer.concat(chunks));
      const expected = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
      const whole = { masked: [] as number[], plain: [] as number[] };
      const transfer = { masked: [] as number[], plain: [] as number[] };
      const cpu = { masked: [] as number[], plain: [] as number[] };
      for (let rep = 0; rep < execReps; rep++) {
        for (const masking of rep % 2 ? [false, true] : [true, false]) {
          const run = await runExec(cliPath, env, file, masking);
          // Without a secret the masked output must be the file itself; with one, only --no-masking is.
          if (!masking || chunks === plain) check(run.sha256 === expected, `exec ${masking ? 'masked' : '--no-masking'} output, ${label}`);
          // Every needle is longer than `****`, so masked output is shorter.
          else check(run.bytes < OUTPUT_BYTES, `exec masked output hides the password, ${label}`);
          (masking ? whole.masked : whole.plain).push(run.wholeMs / 1000);
          (masking ? transfer.masked : transfer.plain).push(run.transferMs / 1000);
          (masking ? cpu.masked : cpu.plain).push(run.cpuSeconds);
        }
      }
      const versus = (values: number[]): { name: string; values: number[] } => ({ name: '--no-masking', values });
      row(`jumpgate exec -- cat 50 MB, ${label}: whole run`, 's', false, whole.masked, versus(whole.plain));
      row(`jumpgate exec -- cat 50 MB, ${label}: first to last byte`, 's', false, transfer.masked, versus(transfer.plain));
      row(`jumpgate exec -- cat 50 MB, ${label}: CPU of jumpgate + cat`, 'cpu-s', false, cpu.masked, versus(cpu.plain));
      log(`masking: exec ${label} done`);
    }
  } finally {
    await Promise.all([moto.dispose(), sshd.dispose(), database.close()]);
  }
  return rows;
}

export function renderMaskingMarkdown(rows: readonly MaskingRow[], format: (summary: Summary) => string): string {
  return [
    '| masking | unit | masked | baseline | baseline is | masked / baseline |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const baseline = row.baseline;
      const versus = baseline ? `${format(baseline.summary)} | ${baseline.name} | ${(row.masked.median / baseline.summary.median).toFixed(2)}x` : '— | — | —';
      return `| ${row.name} | ${row.unit} | ${format(row.masked)} | ${versus} |`;
    }),
  ].join('\n');
}
