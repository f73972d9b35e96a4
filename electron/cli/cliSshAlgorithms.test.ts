import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitForLine } from '../../e2e/rig/cliProcess';
import { pickPort } from '../../e2e/rig/daemon';
import { trustSshd } from '../../e2e/rig/engine';
import { makeOpenSshKey } from '../../e2e/rig/keys';
import { peersAvailable } from '../../e2e/rig/peers';
import { SshdPeer } from '../../e2e/rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../../e2e/rig/tcpPeers';
import { ProfileStore } from '../core/profiles/profileStore';
import { KnownHostsStore } from '../core/ssh/knownHosts';

/**
 * Issue #17 from the command line: a jump box that speaks only ssh-rsa (SHA-1) is refused with
 * SSH_ALGORITHM_LEGACY and the way to allow it for that profile; the profile that allows it connects.
 */
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('jumpgate connect to a jump box that speaks only ssh-rsa', () => {
  let dir: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let env: NodeJS.ProcessEnv;
  let strictPort: number;
  let allowedPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-legacy-'));
    const dataDir = join(dir, 'data');
    const key = await makeOpenSshKey(dir, { type: 'rsa', format: 'openssh' });
    [sshd, echo] = await Promise.all([
      SshdPeer.start({ authorizedKeys: [key.publicKey], hostKeyTypes: ['rsa'], extraConfig: ['HostKeyAlgorithms ssh-rsa', 'PubkeyAcceptedAlgorithms ssh-rsa'] }),
      startEchoServer(),
    ]);
    [strictPort, allowedPort] = [await pickPort(), await pickPort()];
    const store = new ProfileStore({ path: join(dataDir, 'profiles.json') });
    await store.load();
    const profile = (id: string, localPort: number, allowSshRsaSha1: boolean) => ({
      id,
      name: id,
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key' as const, keyPath: key.privatePath } },
      targets: [{ id: 'echo', name: 'echo', engine: 'mysql' as const, remote: { kind: 'host' as const, host: '127.0.0.1', port: echo.port }, localPort }],
      options: { allowSshRsaSha1 },
    });
    await store.upsert(profile('strict', strictPort, false));
    await store.upsert(profile('old-box', allowedPort, true));
    await trustSshd(new KnownHostsStore(join(dataDir, 'known_hosts')), sshd);
    env = { JUMPGATE_DATA_DIR: dataDir, SSH_AUTH_SOCK: '' };
  }, 60_000);
  afterAll(async () => {
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses by default with the code, the algorithm and how to allow it for that profile', async () => {
    const { code, stderr } = await runCli(['connect', 'strict', 'echo'], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/error SSH_ALGORITHM_LEGACY: The jump box 127\.0\.0\.1:\d+ offers only the ssh-rsa host-key algorithm \(RSA with SHA-1\)/);
    expect(stderr).toMatch(/hint: .*options\.allowSshRsaSha1/);
  });

  it('says in profile show which profile allows it', async () => {
    expect((await runCli(['profile', 'show', 'old-box'], env)).stdout).toMatch(/options .*, allows ssh-rsa \(SHA-1\) for an old jump box/);
    expect((await runCli(['profile', 'show', 'strict'], env)).stdout).toMatch(/^ {2}options {5}keepalive 10 s, reconnect wait up to 15 s$/m);
  });

  it('connects with the profile that allows it', async () => {
    const child = spawnCli(['connect', 'old-box', 'echo'], env);
    try {
      expect(await waitForLine(child, /^ready echo /)).toContain(`127.0.0.1:${allowedPort}`);
      expect(await roundTrip(allowedPort, 'old but allowed')).toBe('old but allowed');
    } finally {
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});
