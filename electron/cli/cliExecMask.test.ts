import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCliEnv, saveProfiles, seedDbSecret, trustJumpBox } from '../../e2e/rig/cliData';
import { collect, spawnCli } from '../../e2e/rig/cliProcess';
import { pickPort } from '../../e2e/rig/daemon';
import { makeOpenSshKey } from '../../e2e/rig/keys';
import { startMoto, type MotoPeer } from '../../e2e/rig/moto';
import { peersAvailable } from '../../e2e/rig/peers';
import { SshdPeer } from '../../e2e/rig/sshd';
import { startEchoServer, type TcpPeer } from '../../e2e/rig/tcpPeers';
import { waitForValue } from '../../e2e/rig/waitFor';

const USER = 'migrator';
const PASSWORD = 'N0t:so/s3cret@all?#&+ é';
const PROMPT = 'Apply 3 pending migrations to PRODUCTION? [y/N] ';

/**
 * A migration tool's shape: it prints a question without a newline and waits on
 * stdin; once answered it prints the password the ways tools do (URL, JSON,
 * Basic auth) and exits 4 so the code is seen to pass through.
 */
const PROMPTING_CHILD = `
process.stdout.write(${JSON.stringify(PROMPT)});
process.stdin.once('data', (answer) => {
  const pw = process.env.MYSQL_PWD;
  console.log('answer=' + answer.toString().trim());
  console.log('url ' + process.env.DATABASE_URL);
  console.log('json ' + JSON.stringify({ password: pw }));
  console.log('Authorization: Basic ' + Buffer.from(process.env.MYSQL_USER + ':' + pw).toString('base64'));
  console.log('hex ' + Buffer.from(pw).toString('hex'));
  process.exit(4);
});
`;

/**
 * 20 MB of pseudo-random bytes (SHA-256 in counter mode) with near misses of the
 * password woven in (each missing its last character, so the mask holds them
 * back and must then give them all back); its own digest goes to stderr.
 */
const BULK_CHILD = `
const { createHash } = require('node:crypto');
const pw = Buffer.from(process.env.MYSQL_PWD);
const nearMiss = pw.subarray(0, pw.length - 1);
const digest = createHash('sha256');
let counter = 0;
function block() {
  const parts = [];
  for (let i = 0; i < 2048; i++) parts.push(createHash('sha256').update(String(counter++)).digest());
  parts.push(nearMiss);
  return Buffer.concat(parts);
}
let sent = 0;
function pump() {
  while (sent < 20e6) {
    const chunk = block();
    sent += chunk.length;
    digest.update(chunk);
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', pump);
  }
  process.stdout.end(() => process.stderr.write('sha256 ' + digest.digest('hex') + ' bytes ' + sent + '\\n'));
}
pump();
`;

describe.skipIf(!peersAvailable('moto_server', 'sshd'))('jumpgate exec masking', () => {
  let dir: string;
  let moto: MotoPeer;
  let sshd: SshdPeer;
  let database: TcpPeer;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-mask-'));
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    [moto, sshd, database] = await Promise.all([startMoto(), SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
    await seedDbSecret(moto, 'app/migrator', { username: USER, password: PASSWORD });
    const dataDir = join(dir, 'data');
    env = awsCliEnv(moto, dataDir);
    await saveProfiles(dataDir, {
      id: 'prod',
      name: 'Prod',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
      aws: { region: 'eu-west-2' },
      targets: [
        { id: 'orders', name: 'Orders', engine: 'mariadb', remote: { kind: 'host', host: '127.0.0.1', port: database.port }, localPort: await pickPort(), database: 'orders', secret: { kind: 'secrets-manager', secretId: 'app/migrator' } },
      ],
    });
    await trustJumpBox(dataDir, sshd);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([moto?.dispose(), sshd?.dispose(), database?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a prompt the child prints without a newline before it is answered, then masks what follows', async () => {
    const child = spawnCli(['exec', 'prod', '--', process.execPath, '-e', PROMPTING_CHILD], env, { stdin: 'pipe' });
    const result = collect(child);
    let stdout = '';
    const listeners = new Set<(value: string) => void>();
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const listener of listeners) listener(stdout);
    });
    // The child waits for its answer: the prompt can only arrive if exec's mask let it through unanswered.
    await waitForValue(
      () => stdout,
      (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      (text) => text.endsWith(PROMPT),
      { timeoutMs: 20_000, what: 'the prompt' },
    );
    child.stdin?.end('y\n');
    const { code, stderr } = await result;
    expect(stderr).toBe('');
    expect(code).toBe(4);
    expect(stdout).toContain(`${PROMPT}answer=y\n`);
    expect(stdout).toMatch(new RegExp(`^url mysql://${USER}:\\*\\*\\*\\*@127\\.0\\.0\\.1:\\d+/orders$`, 'm'));
    expect(stdout).toContain('json {"password":"****"}\n');
    expect(stdout).toContain('Authorization: Basic ****\n');
    expect(stdout).toContain('hex ****\n');
    expect(stdout).not.toContain('s3cret');
  });

  it('passes 20 MB in which no secret occurs through byte for byte', async () => {
    const child = spawnCli(['exec', 'prod', '--', process.execPath, '-e', BULK_CHILD], env);
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const { code, stderr } = await collect(child);
    expect(code).toBe(0);
    const output = Buffer.concat(chunks);
    const [, digest, bytes] = /^sha256 ([0-9a-f]{64}) bytes (\d+)\n$/.exec(stderr) ?? [];
    expect(output.length).toBe(Number(bytes));
    expect(output.length).toBeGreaterThanOrEqual(20e6);
    expect(createHash('sha256').update(output).digest('hex')).toBe(digest);
  });
});
