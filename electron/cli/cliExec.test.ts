import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { collect, runCli, spawnCli as spawnCliProcess, waitForLine } from '../../e2e/rig/cliProcess';
import { startMariaDb, type DatabasePeer } from '../../e2e/rig/databases';
import { pickPort } from '../../e2e/rig/daemon';
import { trustSshd } from '../../e2e/rig/engine';
import { makeOpenSshKey } from '../../e2e/rig/keys';
import { peersAvailable } from '../../e2e/rig/peers';
import { listeningPorts } from '../../e2e/rig/procfs';
import { SshdPeer } from '../../e2e/rig/sshd';
import { runCliOnTerminal as startOnTerminal, type TerminalSession } from '../../e2e/rig/terminal';
import { ProfileStore } from '../core/profiles/profileStore';
import { KnownHostsStore } from '../core/ssh/knownHosts';

/** Whether a process still exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `jumpgate exec` as a terminal program (issue #18): on a pseudo-terminal an interactive client
 * shows its prompt and tables, masked; Ctrl-C reaches it once; exit statuses are a shell's;
 * signals to exec are passed on; typed passwords; and --with for a dump from one database into
 * another in one command. Real sshd and two MariaDB servers; targets whose password is typed.
 */
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'mariadbd', 'mariadb', 'mariadb-dump'))('jumpgate exec on a terminal and in pipelines', () => {
  let dir: string;
  let sshd: SshdPeer;
  let live: DatabasePeer;
  let copy: DatabasePeer;
  let env: NodeJS.ProcessEnv;
  let livePort: number;
  let copyPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-exec-'));
    const dataDir = join(dir, 'data');
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    [sshd, live, copy] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startMariaDb(), startMariaDb()]);
    [livePort, copyPort] = [await pickPort(), await pickPort()];
    const store = new ProfileStore({ path: join(dataDir, 'profiles.json') });
    await store.load();
    const target = (id: string, name: string, peer: DatabasePeer, localPort: number) => ({
      id,
      name,
      engine: 'mariadb' as const,
      remote: { kind: 'host' as const, host: '127.0.0.1', port: peer.port },
      localPort,
      username: peer.user,
      database: peer.database,
    });
    await store.upsert({
      id: 'rig',
      name: 'Rig box',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
      targets: [target('live', 'Live', live, livePort), target('copy', 'Restored copy', copy, copyPort)],
    });
    await trustSshd(new KnownHostsStore(join(dataDir, 'known_hosts')), sshd);
    env = { JUMPGATE_DATA_DIR: dataDir, SSH_AUTH_SOCK: '', LIVE_PASS: live.password, COPY_PASS: copy.password };
  });
  // A test that fails mid-way must not leave its exec (and the tunnel's port) behind: hang up its terminal.
  const terminals: TerminalSession[] = [];
  const runCliOnTerminal = (...args: Parameters<typeof startOnTerminal>): TerminalSession => {
    const term = startOnTerminal(...args);
    terminals.push(term);
    return term;
  };
  const children: ChildProcess[] = [];
  const spawnCli = (...args: Parameters<typeof spawnCliProcess>): ChildProcess => {
    const child = spawnCliProcess(...args);
    children.push(child);
    return child;
  };
  afterEach(async () => {
    for (const term of terminals.splice(0)) {
      if (alive(term.pid)) term.kill('SIGHUP');
      await term.exit;
    }
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((done) => child.once('exit', done));
        child.kill('SIGHUP');
        await gone;
      }
    }
  });
  afterAll(async () => {
    await Promise.all([sshd?.dispose(), live?.dispose(), copy?.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const onLive = ['exec', 'rig', '--target', 'live', '--password-env', 'LIVE_PASS'];

  it('gives an interactive client a terminal: its prompt and tables appear for a typed query, the password masked where it shows', async () => {
    const term = runCliOnTerminal([...onLive, '--', 'mariadb', '-u', live.user, live.database], env);
    await term.waitFor(/MariaDB \[appdb\]> $/);
    let from = term.output().length;
    term.type('select 6*7 as answer;\r');
    // A table drawn for a terminal (batch output through a pipe has no borders), then the prompt again.
    await term.waitFor(/\| answer \|[\s\S]*\|\s+42 \|[\s\S]*MariaDB \[appdb\]> $/, { from });
    from = term.output().length;
    term.type(`select '${live.password}' as secret;\r`);
    await term.waitFor(/\| secret\s*\|[\s\S]*\| \*{4}\s*\|[\s\S]*MariaDB \[appdb\]> $/, { from });
    term.type('quit\r');
    expect((await term.exit).exitCode).toBe(0);
    expect(term.output()).not.toContain(live.password);
    expect(listeningPorts().has(livePort)).toBe(false);
  });

  it('sends one Ctrl-C to the client: the running query is killed and the connection kept', async () => {
    const term = runCliOnTerminal([...onLive, '--', 'mariadb', '-u', live.user, live.database], env);
    await term.waitFor(/MariaDB \[appdb\]> $/);
    const watcher = await mysql.createConnection({ host: live.host, port: live.port, user: live.user, password: live.password, database: live.database });
    try {
      const from = term.output().length;
      term.type('select sleep(20);\r');
      // Ctrl-C once the server runs the query (a Ctrl-C at the prompt means something else to the client).
      await vi.waitFor(
        async () => {
          const [rows] = await watcher.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE 'select sleep(20)%'");
          expect(rows[0]?.n, 'the sleep query running on the server').toBe(1);
        },
        { timeout: 10_000, interval: 50 },
      );
      term.type('\x03');
      await term.waitFor(/query killed[\s\S]*MariaDB \[appdb\]> $/, { from });
      const after = term.output().length;
      term.type('select 1+1 as two;\r');
      await term.waitFor(/\| two \|[\s\S]*\|\s+2 \|[\s\S]*MariaDB \[appdb\]> $/, { from: after });
      term.type('quit\r');
      expect((await term.exit).exitCode).toBe(0);
      // Exactly one Ctrl-C arrived: a second kills the connection (or exits the client).
      expect(term.output().slice(from).match(/query killed/g)).toHaveLength(1);
      expect(term.output()).not.toMatch(/connection killed|exit!/i);
    } finally {
      await watcher.end();
    }
  });

  it('sizes the pseudo-terminal like the real one and follows a resize', async () => {
    const term = runCliOnTerminal([...onLive, '--', 'sh', '-c', 'trap "stty size" WINCH; stty size; echo ready; while :; do sleep 0.1; done'], env, { cols: 120, rows: 40 });
    await term.waitFor(/40 120\s+ready/);
    const from = term.output().length;
    term.resize(100, 30);
    await term.waitFor(/30 100/, { from });
    // Ctrl-C on the terminal ends the child (sh does not catch it): 128 + SIGINT.
    term.type('\x03');
    expect((await term.exit).exitCode).toBe(130);
  });

  it.each([
    ['KILL', 137],
    ['HUP', 129],
    ['TERM', 143],
    ['INT', 130],
  ] as const)('exits 128+N when signal %s ends the command, on a terminal and on pipes', async (signal, status) => {
    expect(128 + (constants.signals[`SIG${signal}`] ?? 0)).toBe(status);
    const command = ['--', 'sh', '-c', `kill -${signal} $$`];
    const term = runCliOnTerminal([...onLive, ...command], env);
    expect((await term.exit).exitCode).toBe(status);
    const piped = await runCli([...onLive, ...command], env);
    expect(piped.code, piped.stderr).toBe(status);
  });

  it('passes SIGHUP and SIGTERM sent to exec on to the command and exits with its status, leaving no orphan', async () => {
    const child = 'trap "echo got-hup; exit 7" HUP; trap "echo got-term; exit 8" TERM; echo "ready $$"; while :; do sleep 0.1; done';
    // On pipes.
    for (const [signal, status, said] of [['SIGHUP', 7, 'got-hup'], ['SIGTERM', 8, 'got-term']] as const) {
      const exec = spawnCli([...onLive, '--', 'sh', '-c', child], env);
      const result = collect(exec);
      const pid = Number((await waitForLine(exec, /^ready \d+/)).split(' ')[1]);
      exec.kill(signal);
      const { code, stdout } = await result;
      expect(code).toBe(status);
      expect(stdout).toContain(said);
      expect(alive(pid)).toBe(false);
    }
    // On a terminal (the child on its own pseudo-terminal).
    const term = runCliOnTerminal([...onLive, '--', 'sh', '-c', child], env);
    const pid = Number(/ready (\d+)/.exec(await term.waitFor(/ready \d+/))?.[1]);
    term.kill('SIGHUP');
    expect((await term.exit).exitCode).toBe(7);
    expect(term.output()).toContain('got-hup');
    expect(alive(pid)).toBe(false);
  });

  it('off a terminal, passes SIGINT on exactly once', async () => {
    const exec = spawnCli([...onLive, '--', 'sh', '-c', 'n=0; trap "n=\\$((n+1))" INT; echo ready; while [ $n -eq 0 ]; do sleep 0.05; done; sleep 0.3; echo "ints $n"'], env);
    const result = collect(exec);
    await waitForLine(exec, /^ready/);
    exec.kill('SIGINT');
    const { code, stdout } = await result;
    expect(code).toBe(0);
    expect(stdout).toContain('ints 1');
  });

  it('asks for a typed password on the terminal without echoing it, and says how to give one without a terminal', async () => {
    const term = runCliOnTerminal(['exec', 'rig', '--target', 'live', '--', 'sh', '-c', 'echo "length ${#MYSQL_PWD}"; echo "$MYSQL_PWD"'], env);
    await term.waitFor(/Password for jumpgate_app on Live: /);
    term.type(`${live.password}\r`);
    await term.waitFor(new RegExp(`length ${live.password.length}`));
    expect((await term.exit).exitCode).toBe(0);
    expect(term.output()).not.toContain(live.password);
    expect(term.output()).toMatch(/\*{4}/);

    const scripted = await runCli(['exec', 'rig', '--target', 'live', '--', 'true'], env);
    expect(scripted.code).toBe(2);
    expect(scripted.stderr).toMatch(/error SECRET_NOT_FOUND: .*typed.*no terminal/);
    expect(scripted.stderr).toMatch(/hint: Pass --password-env VAR/);
    const unset = await runCli(['exec', 'rig', '--target', 'live', '--password-env', 'NOT_SET_HERE', '--', 'true'], env);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/NOT_SET_HERE is not set/);
    // Nothing stays open after a refusal.
    expect(listeningPorts().has(livePort)).toBe(false);
  });

  it('opens a second target with --with, its variables prefixed, so a dump from the copy into live is one command', async () => {
    const source = await mysql.createConnection({ host: copy.host, port: copy.port, user: copy.user, password: copy.password, database: copy.database });
    const destination = await mysql.createConnection({ host: live.host, port: live.port, user: live.user, password: live.password, database: live.database });
    try {
      await source.query('DROP TABLE IF EXISTS orders');
      await source.query('CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(40))');
      await source.query("INSERT INTO orders VALUES (1, 'tea'), (2, 'crème brûlée'), (3, 'x''; DROP TABLE y; --')");
      await destination.query('DROP TABLE IF EXISTS orders');
      const pipeline = [
        'MYSQL_PWD="$RESTORED_MYSQL_PWD" mariadb-dump --single-transaction --no-tablespaces',
        '-h "$RESTORED_MYSQL_HOST" -P "$RESTORED_MYSQL_TCP_PORT" -u "$RESTORED_MYSQL_USER" "$RESTORED_MYSQL_DATABASE" orders',
        '| mariadb -u "$MYSQL_USER" "$MYSQL_DATABASE" && echo "from $RESTORED_DATABASE_URL"',
      ].join(' ');
      const { code, stdout, stderr } = await runCli([...onLive, '--with', 'restored=copy', '--password-env', 'restored=COPY_PASS', '--', 'sh', '-c', pipeline], env);
      expect(code, stderr).toBe(0);
      const [rows] = await destination.query('SELECT id, item FROM orders ORDER BY id');
      expect(rows).toEqual([
        { id: 1, item: 'tea' },
        { id: 2, item: 'crème brûlée' },
        { id: 3, item: "x'; DROP TABLE y; --" },
      ]);
      // The copy's URL, its password masked, on the copy's own tunnel port.
      expect(stdout).toContain(`from mysql://${copy.user}:****@127.0.0.1:${copyPort}/${copy.database}`);
      expect(listeningPorts().has(copyPort)).toBe(false);
    } finally {
      await Promise.all([source.end(), destination.end()]);
    }
  });

  it('refuses a malformed or repeated --with before opening anything', async () => {
    const malformed = await runCli([...onLive, '--with', 'restored', '--', 'true'], env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/error BAD_REQUEST: --with restored is not NAME=target/);
    const same = await runCli([...onLive, '--with', 'again=live', '--', 'true'], env);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/Target "live" is named twice/);
    const unknown = await runCli([...onLive, '--with', 'restored=nope', '--', 'true'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error TARGET_NOT_FOUND/);
    expect(listeningPorts().has(livePort)).toBe(false);
  });
});
