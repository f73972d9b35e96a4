import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli, waitForLine } from '../../e2e/rig/cliProcess';
import { pickPort } from '../../e2e/rig/daemon';
import { trustSshd } from '../../e2e/rig/engine';
import { makeOpenSshKey, makePuttyKey, type RigKey } from '../../e2e/rig/keys';
import { peersAvailable } from '../../e2e/rig/peers';
import { proxyJumpProfile } from '../../e2e/rig/proxyJumpRoute';
import { SshdPeer } from '../../e2e/rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../../e2e/rig/tcpPeers';
import { runCliOnTerminal, type TerminalSession } from '../../e2e/rig/terminal';
import { ProfileStore } from '../core/profiles/profileStore';
import { KnownHostsStore } from '../core/ssh/knownHosts';

const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Issue #17: `jumpgate connect` through a ProxyJump route whose outer hop has its own encrypted
 * key asks, on a terminal, for each key by its path (outer first), and opens.
 */
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'puttygen'))('jumpgate connect through two hops, each with its own encrypted key', () => {
  let dir: string;
  let outerKey: RigKey;
  let innerKey: RigKey;
  let outer: SshdPeer;
  let inner: SshdPeer;
  let echo: TcpPeer;
  let env: NodeJS.ProcessEnv;
  let localPort: number;
  const terminals: TerminalSession[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-hops-'));
    const dataDir = join(dir, 'data');
    [outerKey, innerKey] = await Promise.all([
      makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh', passphrase: 'outer words' }),
      makePuttyKey(dir, { type: 'ed25519', ppkVersion: 3, passphrase: 'inner words' }),
    ]);
    [outer, inner, echo] = await Promise.all([
      SshdPeer.start({ authorizedKeys: [outerKey.publicKey] }),
      SshdPeer.start({ authorizedKeys: [innerKey.publicKey] }),
      startEchoServer(),
    ]);
    localPort = await pickPort();
    const store = new ProfileStore({ path: join(dataDir, 'profiles.json') });
    await store.load();
    await store.upsert(proxyJumpProfile({ outer, outerKeyPath: outerKey.privatePath, inner, innerKeyPath: innerKey.privatePath, echoPort: echo.port, localPort }));
    const knownHosts = new KnownHostsStore(join(dataDir, 'known_hosts'));
    await trustSshd(knownHosts, outer);
    await trustSshd(knownHosts, inner);
    env = { JUMPGATE_DATA_DIR: dataDir, SSH_AUTH_SOCK: '' };
  }, 120_000);
  afterEach(async () => {
    for (const term of terminals.splice(0)) {
      try {
        term.kill('SIGHUP');
      } catch {
        // Already ended.
      }
      await term.exit;
    }
  });
  afterAll(async () => {
    await Promise.all([outer?.dispose(), inner?.dispose(), echo?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for the outer hop key, then the jump host key, each by path (again after a wrong one), then opens', async () => {
    const term = runCliOnTerminal(['connect', 'chain', 'echo'], env);
    terminals.push(term);
    // The prompt is the last thing drawn (the line editor may move the cursor after it).
    const outerPrompt = new RegExp(`Passphrase for ${literally(outerKey.privatePath)}: `);
    await term.waitFor(outerPrompt);
    let from = term.output().length;
    term.type('wrong words\r');
    await term.waitFor(new RegExp(`That passphrase does not unlock ${literally(outerKey.privatePath)}\\.[\\s\\S]*Passphrase for ${literally(outerKey.privatePath)}: `), { from });
    from = term.output().length;
    term.type('outer words\r');
    await term.waitFor(new RegExp(`Passphrase for ${literally(innerKey.privatePath)}: `), { from });
    from = term.output().length;
    term.type('inner words\r');
    await term.waitFor(new RegExp(`ready echo 127\\.0\\.0\\.1:${localPort} `), { from });
    expect(await roundTrip(localPort, 'two keys, two hops')).toBe('two keys, two hops');
    expect(term.output()).not.toMatch(/outer words|inner words/);
    term.type('\x03');
    expect((await term.exit).exitCode).toBe(0);
  });

  // In a script: --passphrase-env answers each key of the route by its path, not only the jump host's.
  it('opens with --passphrase-env when both hops\' keys share the passphrase, and names the outer key when it is wrong', async () => {
    const sharedDir = join(dir, 'shared');
    mkdirSync(sharedDir);
    const [outerShared, innerShared] = await Promise.all([
      makeOpenSshKey(sharedDir, { type: 'ed25519', format: 'openssh', passphrase: 'team words' }),
      makePuttyKey(sharedDir, { type: 'ed25519', ppkVersion: 3, passphrase: 'team words' }),
    ]);
    outer.authorize(outerShared.publicKey);
    inner.authorize(innerShared.publicKey);
    const dataDir = join(sharedDir, 'data');
    const port = await pickPort();
    const store = new ProfileStore({ path: join(dataDir, 'profiles.json') });
    await store.load();
    await store.upsert(proxyJumpProfile({ outer, outerKeyPath: outerShared.privatePath, inner, innerKeyPath: innerShared.privatePath, echoPort: echo.port, localPort: port }));
    const knownHosts = new KnownHostsStore(join(dataDir, 'known_hosts'));
    await trustSshd(knownHosts, outer);
    await trustSshd(knownHosts, inner);
    const scriptEnv = { JUMPGATE_DATA_DIR: dataDir, SSH_AUTH_SOCK: '', JG_PASS: 'team words' };

    const child = spawnCli(['connect', 'chain', 'echo', '--passphrase-env', 'JG_PASS'], scriptEnv);
    const exited = collect(child);
    await waitForLine(child, new RegExp(`^ready echo 127\\.0\\.0\\.1:${port} `, 'm'));
    expect(await roundTrip(port, 'one passphrase, two keys')).toBe('one passphrase, two keys');
    child.kill('SIGINT');
    const done = await exited;
    expect(done.code).toBe(0);
    expect(done.stdout + done.stderr).not.toContain('team words');

    const wrong = await runCli(['connect', 'chain', 'echo', '--passphrase-env', 'JG_PASS'], { ...scriptEnv, JG_PASS: 'not these words' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/error BAD_PASSPHRASE/);
    expect(wrong.stderr).toContain(outerShared.privatePath);
    expect(wrong.stderr).not.toContain('not these words');
  });
});
