import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitForLine } from '../../e2e/rig/cliProcess';
import { pickPort } from '../../e2e/rig/daemon';
import { makeOpenSshKey } from '../../e2e/rig/keys';
import { peersAvailable } from '../../e2e/rig/peers';
import { listeningPorts } from '../../e2e/rig/procfs';
import { SshdPeer } from '../../e2e/rig/sshd';
import { closedPort, roundTrip, startEchoServer, type TcpPeer } from '../../e2e/rig/tcpPeers';
import { ProfileStore } from '../core/profiles/profileStore';

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('the jumpgate command', () => {
  let dir: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let env: NodeJS.ProcessEnv;
  let localPort: number;
  let deadPort: number;
  const passphrase = 'doctor, unlock me';
  let lockedKeyPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-'));
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    const locked = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh', passphrase });
    lockedKeyPath = locked.privatePath;
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey, locked.publicKey] }), startEchoServer()]);
    env = { JUMPGATE_DATA_DIR: join(dir, 'data'), SSH_AUTH_SOCK: '' };
    localPort = await pickPort();
    deadPort = await closedPort();
    const store = new ProfileStore({ path: join(dir, 'data', 'profiles.json') });
    await store.load();
    await store.upsert({
      id: 'rig',
      name: 'Rig box',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
      targets: [
        { id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort },
        { id: 'dead', name: 'Dead', engine: 'postgres', remote: { kind: 'host', host: '127.0.0.1', port: deadPort }, localPort: await pickPort() },
      ],
    });
  });
  afterAll(async () => {
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists profiles as stable JSON', async () => {
    const { code, stdout } = await runCli(['ls', '--json'], env);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Array<{ id: string; targets: Array<{ id: string; localPort: number }> }>;
    const rig = rows.find((row) => row.id === 'rig');
    expect(rig?.targets.map((target) => [target.id, target.localPort])).toEqual([
      ['echo', localPort],
      ['dead', expect.any(Number)],
    ]);
  });

  it('names the close profiles when the name is wrong, with exit code 2', async () => {
    const { code, stderr } = await runCli(['connect', 'rgi'], env);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error PROFILE_NOT_FOUND: There is no profile "rgi"/);
    expect(stderr).toMatch(/Did you mean: rig/);
  });

  it('prints the package version from source (npm run jumpgate -- --version), as the built CLI does', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const result = spawnSync('npm', ['run', '--silent', 'jumpgate', '--', '--version'], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('ends quietly when its reader goes away (jumpgate profile --help | head -1), with no EPIPE stack', async () => {
    const child = spawnCli(['profile', '--help'], env);
    // The reader has gone before the first line, as after head -1 has its line: every write meets EPIPE.
    child.stdout?.destroy();
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
  });

  it('says on every command, once, that profiles.json was damaged and where it was moved', async () => {
    const damagedDir = join(dir, 'damaged');
    mkdirSync(damagedDir, { recursive: true });
    writeFileSync(join(damagedDir, 'profiles.json'), '{"schemaVersion": 2, "profiles": [');
    const { code, stderr } = await runCli(['connect', 'anything'], { ...env, JUMPGATE_DATA_DIR: damagedDir });
    expect(code).toBe(2);
    expect(stderr.match(/^warning PROFILES_CORRUPT: /gm)).toHaveLength(1);
    expect(stderr).toContain(join(damagedDir, 'profiles.json.corrupt-'));
    // Then the command's own answer.
    expect(stderr).toMatch(/error PROFILE_NOT_FOUND: There is no profile "anything"/);
  });

  it('says the variable --passphrase-env names is unset, instead of asking for the flag that was given', async () => {
    const { code, stderr } = await runCli(['connect', 'rig', 'echo', '--passphrase-env', 'JUMPGATE_TEST_UNSET_PASSPHRASE'], env);
    expect(code).toBe(2);
    expect(stderr).toContain('error PASSPHRASE_REQUIRED: --passphrase-env names JUMPGATE_TEST_UNSET_PASSPHRASE, but JUMPGATE_TEST_UNSET_PASSPHRASE is not set in this environment.');
    expect(stderr).toContain('hint: Set it first');
  });

  it('refuses an unverified host key without a terminal and says which flag to use', async () => {
    const { code, stderr } = await runCli(['connect', 'rig', 'echo'], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/error HOST_KEY_UNKNOWN/);
    expect(stderr).toContain(`--trust-host-key ${sshd.hostKeys[0]?.fingerprint}`);
  });

  it('connects in the foreground, forwards, and frees the port on SIGINT', async () => {
    const child = spawnCli(['connect', 'rig', 'echo', '--trust-host-key', sshd.hostKeys[0]?.fingerprint ?? ''], env);
    const ready = await waitForLine(child, /^ready echo /);
    expect(ready).toContain(`127.0.0.1:${localPort} -> 127.0.0.1:${echo.port}`);
    expect(await roundTrip(localPort, 'through the cli')).toBe('through the cli');
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(listeningPorts().has(localPort)).toBe(false);
    // Ctrl-C closed the tunnel, and the audit log says so (it used to hold only the opening).
    const audit = readFileSync(join(dir, 'data', 'audit.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string; detail: string });
    expect(audit.slice(-2).map((entry) => [entry.kind, entry.detail])).toEqual([
      ['tunnel-opened', expect.stringMatching(/^Rig box \/ Echo: /)],
      ['tunnel-closed', 'Rig box / Echo (Jumpgate closed)'],
    ]);
  });

  it('opens the targets it can when one port is taken, names the free one, and runs there with --port target=N', async () => {
    const fingerprint = sshd.hostKeys[0]?.fingerprint ?? '';
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(localPort, '127.0.0.1', done));
    const deadTarget = (await (async () => {
      const store = new ProfileStore({ path: join(dir, 'data', 'profiles.json') });
      await store.load();
      return store.get('rig').targets.find((target) => target.id === 'dead');
    })()) as { localPort: number };
    try {
      // echo's port is held: dead (whose database is not there, but whose port is free) still gets its listener... and fails on its own;
      // so take both apart: first, echo alone with the clash reported and nothing else to open -> the command fails with the hint.
      const alone = await runCli(['connect', 'rig', 'echo', '--trust-host-key', fingerprint], env);
      expect(alone.code).toBe(1);
      const free = Number(/--port echo=(\d+)/.exec(alone.stderr)?.[1]);
      expect(alone.stderr).toMatch(new RegExp(`error PORT_IN_USE: echo: Local port ${localPort} is already in use`));
      expect(free).toBeGreaterThan(1023);

      // Then the override: echo runs on the free port for this run, and the saved port is unchanged.
      const child = spawnCli(['connect', 'rig', 'echo', '--trust-host-key', fingerprint, '--port', `echo=${free}`], env);
      const ready = await waitForLine(child, /^ready echo /);
      expect(ready).toContain(`127.0.0.1:${free} -> 127.0.0.1:${echo.port}`);
      expect(await roundTrip(free, 'on the run-only port')).toBe('on the run-only port');
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      const store = new ProfileStore({ path: join(dir, 'data', 'profiles.json') });
      await store.load();
      expect(store.get('rig').targets.find((target) => target.id === 'echo')?.localPort).toBe(localPort);
      expect(deadTarget.localPort).toBeGreaterThan(0);
    } finally {
      await new Promise((done) => holder.close(done));
    }
  });

  it('keeps the other targets open when one cannot open on its own, and says which', async () => {
    const fingerprint = sshd.hostKeys[0]?.fingerprint ?? '';
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(localPort, '127.0.0.1', done));
    try {
      // echo's port is taken; dead's database is not there: with echo moved by --port, echo opens and dead is reported.
      const free = await pickPort();
      const child = spawnCli(['connect', 'rig', '--trust-host-key', fingerprint, '--port', `echo=${free}`], env);
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await waitForLine(child, /^Press Ctrl-C/);
      expect(await roundTrip(free, 'the one that opened')).toBe('the one that opened');
      expect(stderr).toMatch(/error ENDPOINT_UNREACHABLE: dead: /);
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGINT');
      // Not every target opened: the exit code says so after the user closes the rest.
      expect(await exited).toBe(1);
      expect(listeningPorts().has(free)).toBe(false);
    } finally {
      await new Promise((done) => holder.close(done));
    }
  });

  it('serves the UI on 127.0.0.1 with a token URL until SIGINT', async () => {
    if (!existsSync('dist/renderer/index.html')) execFileSync(process.execPath, ['scripts/build.mjs']);
    const child = spawnCli(['serve'], env);
    const url = new URL(await waitForLine(child, /^http:\/\/127\.0\.0\.1:\d+\/#token=/));
    expect(url.hash).toMatch(/^#token=[A-Za-z0-9_-]{43}$/);
    const page = await fetch(`http://127.0.0.1:${url.port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Jumpgate</title>');
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(listeningPorts().has(Number(url.port))).toBe(false);
  });

  it('exits non-zero with the code and hint when a tunnel cannot open', async () => {
    const { code, stderr } = await runCli(['connect', 'rig', 'dead', '--trust-host-key', sshd.hostKeys[0]?.fingerprint ?? ''], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/error ENDPOINT_UNREACHABLE: .*127\.0\.0\.1:\d+/);
    expect(stderr).toMatch(/hint: The jump box is fine/);
  });

  it('doctor unlocks the key as connect does: --passphrase-env (a wrong one fails the key step) and --trust-host-key', async () => {
    type Report = { firstFailure?: string; checks: Array<{ id: string; status: string; detail: string; error?: { code: string } }> };
    const keyStep = (report: Report) => report.checks.find((check) => check.id === 'key');
    // A data dir of its own: nothing pinned yet, whatever the other tests trusted.
    const dataDir = join(dir, 'doctor-data');
    const store = new ProfileStore({ path: join(dataDir, 'profiles.json') });
    await store.load();
    await store.upsert({ id: 'locked', name: 'Locked key', jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: lockedKeyPath } } });
    const doctorEnv = { ...env, JUMPGATE_DATA_DIR: dataDir };
    // Without a terminal or the flag, the doctor stops at the key and says which flag answers it.
    const asked = await runCli(['doctor', 'locked', '--json'], doctorEnv);
    expect(asked.code).toBe(1);
    const askedReport = JSON.parse(asked.stdout) as Report;
    expect(askedReport.firstFailure).toBe('key');
    expect(keyStep(askedReport)?.error?.code).toBe('PASSPHRASE_REQUIRED');
    expect(asked.stderr).toContain('hint: Run it on a terminal to be asked, use ssh-agent, or pass --passphrase-env VAR');

    const wrong = await runCli(['doctor', 'locked', '--json', '--passphrase-env', 'JG_DOCTOR_PASS'], { ...doctorEnv, JG_DOCTOR_PASS: 'not the passphrase' });
    expect(wrong.code).toBe(1);
    expect(keyStep(JSON.parse(wrong.stdout) as Report)?.error?.code).toBe('BAD_PASSPHRASE');

    // The right one opens the key; the jump box is then new, and the flag vouches for its key.
    const fingerprint = sshd.hostKeys[0]?.fingerprint ?? '';
    const unpinned = await runCli(['doctor', 'locked', '--passphrase-env', 'JG_DOCTOR_PASS'], { ...doctorEnv, JG_DOCTOR_PASS: passphrase });
    expect(unpinned.code).toBe(1);
    expect(unpinned.stdout).toMatch(/^✗ Jump box host key: /m);
    expect(unpinned.stderr).toContain(`hint: Verify the fingerprint with your administrator, then re-run with --trust-host-key ${fingerprint}`);
    const right = await runCli(['doctor', 'locked', '--passphrase-env', 'JG_DOCTOR_PASS', '--trust-host-key', fingerprint], { ...doctorEnv, JG_DOCTOR_PASS: passphrase });
    expect(right.stderr).toBe('');
    expect(right.code).toBe(0);
    expect(right.stdout).toMatch(/^✓ SSH key readable: ssh-ed25519 key SHA256:\S+ \(openssh\)$/m);
    expect(right.stdout).toMatch(/^✓ Jump box host key: matches the pinned key$/m);
    expect(right.stdout).toMatch(/^✓ SSH login: logged in as /m);
    expect(right.stdout + right.stderr).not.toContain(passphrase);
  });
});
