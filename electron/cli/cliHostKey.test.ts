import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveProfiles } from '../../e2e/rig/cliData';
import { runCli, spawnCli, waitForLine } from '../../e2e/rig/cliProcess';
import { pickPort } from '../../e2e/rig/daemon';
import { makeOpenSshKey, parsableKeyPair } from '../../e2e/rig/keys';
import { peersAvailable } from '../../e2e/rig/peers';
import { fingerprintOf, SshdPeer } from '../../e2e/rig/sshd';
import { closedPort, roundTrip, startEchoServer, type TcpPeer } from '../../e2e/rig/tcpPeers';
import { runCliOnTerminal } from '../../e2e/rig/terminal';

interface AuditLine {
  kind: string;
  detail: string;
}

interface ShownHop {
  role: string;
  knownHostsPath: string;
  pinned: Array<{ keyType: string; fingerprint: string }>;
  presented?: { keyType: string; fingerprint: string };
  verdict?: string;
  unreachable?: { code: string };
}

/**
 * Issue #18: after HOST_KEY_MISMATCH (a jump box rebuilt with a new host key) the CLI had no way
 * forward. `jumpgate host-key show|trust|forget`, each run as a user runs it, against a real sshd
 * whose host key is replaced in the middle of the file's story.
 */
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('jumpgate host-key', () => {
  let dir: string;
  let dataDir: string;
  let knownHostsPath: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let env: NodeJS.ProcessEnv;
  let localPort: number;
  /** The jump box's key before and after the rebuild. */
  let oldFingerprint: string;
  let newFingerprint: string;

  const audit = (): AuditLine[] =>
    readFileSync(join(dataDir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditLine);
  const knownHosts = (): string => readFileSync(knownHostsPath, 'utf8');
  const showJson = async (profile = 'rig'): Promise<ShownHop[]> => {
    const shown = await runCli(['host-key', 'show', profile, '--json'], env);
    expect(shown.code).toBe(0);
    return (JSON.parse(shown.stdout) as { hops: ShownHop[] }).hops;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-hostkey-'));
    dataDir = join(dir, 'data');
    knownHostsPath = join(dataDir, 'known_hosts');
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    // One host key type, so "the key it presents" is one key before the rebuild and one after.
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey], hostKeyTypes: ['ed25519'] }), startEchoServer()]);
    oldFingerprint = sshd.hostKeys[0]!.fingerprint;
    env = { JUMPGATE_DATA_DIR: dataDir, SSH_AUTH_SOCK: '' };
    localPort = await pickPort();
    await saveProfiles(dataDir, {
      id: 'rig',
      name: 'Rig box',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
      targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort }],
    }, { id: 'gone', name: 'Gone', jumpHost: { host: '127.0.0.1', port: await closedPort(), user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } } });
  });
  afterAll(async () => {
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows an unreachable jump box as an answer, not an error', async () => {
    const shown = await runCli(['host-key', 'show', 'gone'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`known_hosts: ${knownHostsPath}`);
    expect(shown.stdout).toMatch(/pinned: +nothing/);
    expect(shown.stdout).toMatch(/presents: +not known: the server could not be asked \(JUMP_HOST_UNREACHABLE: /);
  });

  it('pins a first key with trust --fingerprint, and shows it trusted', async () => {
    const trusted = await runCli(['host-key', 'trust', 'rig', '--fingerprint', oldFingerprint], env);
    expect(trusted.stderr).toContain(`nothing pinned for ${sshd.host}:${sshd.port} in ${knownHostsPath} yet`);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toBe(`Pinned ssh-ed25519 ${oldFingerprint} for ${sshd.host}:${sshd.port} in ${knownHostsPath}.\n`);
    const [hop] = await showJson();
    expect(hop).toMatchObject({ role: 'jump host', verdict: 'trusted', pinned: [{ fingerprint: oldFingerprint }], presented: { fingerprint: oldFingerprint } });
  });

  it('after the jump box is rebuilt: connect fails HOST_KEY_MISMATCH with the pin file and the way forward; show puts old beside new', async () => {
    await sshd.regenerateHostKeys();
    await sshd.restart();
    newFingerprint = sshd.hostKeys[0]!.fingerprint;
    expect(newFingerprint).not.toBe(oldFingerprint);

    const refused = await runCli(['connect', 'rig', 'echo'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error HOST_KEY_MISMATCH: /m);
    expect(refused.stderr).toContain(`presented ssh-ed25519 key ${newFingerprint}, but the pinned key is ssh-ed25519 ${oldFingerprint}`);
    expect(refused.stderr).toContain(`The pinned key is in ${knownHostsPath}`);
    expect(refused.stderr).toContain(`jumpgate host-key trust <profile> --fingerprint ${newFingerprint} --replace`);

    const shown = await runCli(['host-key', 'show', 'rig'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`jump host ${sshd.user}@${sshd.host}:${sshd.port}\n`);
    expect(shown.stdout).toContain(`known_hosts: ${knownHostsPath} (as [${sshd.host}]:${sshd.port})`);
    expect(shown.stdout).toMatch(new RegExp(`pinned: +ssh-ed25519 ${escape(oldFingerprint)}\n`));
    expect(shown.stdout).toMatch(new RegExp(`presents: +ssh-ed25519 ${escape(newFingerprint)}\n`));
    expect(shown.stdout).toMatch(/verdict: +MISMATCH: not the pinned key/);
    const [hop] = await showJson();
    expect(hop).toMatchObject({ knownHostsPath, verdict: 'mismatch', pinned: [{ fingerprint: oldFingerprint }], presented: { keyType: 'ssh-ed25519', fingerprint: newFingerprint } });
  });

  it('refuses a --fingerprint the server does not present, naming both, and a malformed one as a usage error', async () => {
    const before = knownHosts();
    const wrong = `SHA256:${'A'.repeat(43)}`;
    const refused = await runCli(['host-key', 'trust', 'rig', '--fingerprint', wrong, '--replace'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error HOST_KEY_NOT_CONFIRMED: /m);
    expect(refused.stderr).toContain(`presents ssh-ed25519 key ${newFingerprint}, not the ${wrong} given`);
    expect(knownHosts()).toBe(before);

    const malformed = await runCli(['host-key', 'trust', 'rig', '--fingerprint', 'SHA256:nope', '--replace'], env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^error BAD_REQUEST: .*fingerprint/m);
    expect(knownHosts()).toBe(before);
  });

  it('refuses to replace the pinned key without --replace, and without --fingerprint off a terminal, each with the command to run', async () => {
    const before = knownHosts();
    const noReplace = await runCli(['host-key', 'trust', 'rig', '--fingerprint', newFingerprint], env);
    expect(noReplace.code).toBe(1);
    expect(noReplace.stderr).toMatch(/^error HOST_KEY_MISMATCH: .*Nothing was changed/m);
    expect(noReplace.stderr).toContain(`hint: If your administrator confirmed ${newFingerprint} as the jump box's new key, replace the pin: jumpgate host-key trust rig --fingerprint ${newFingerprint} --replace`);

    const noFingerprint = await runCli(['host-key', 'trust', 'rig', '--replace'], env);
    expect(noFingerprint.code).toBe(1);
    expect(noFingerprint.stderr).toContain(`${sshd.host}:${sshd.port} presents: ssh-ed25519 ${newFingerprint}`);
    expect(noFingerprint.stderr).toContain(`pinned now (${knownHostsPath}): ssh-ed25519 ${oldFingerprint}`);
    expect(noFingerprint.stderr).toMatch(/^error HOST_KEY_MISMATCH: Nothing was trusted: no --fingerprint confirms/m);
    expect(noFingerprint.stderr).toContain(`then run: jumpgate host-key trust rig --fingerprint ${newFingerprint} --replace`);
    expect(knownHosts()).toBe(before);
    expect(audit().filter((line) => line.kind === 'host-key-trusted')).toHaveLength(1);
  });

  it('replaces the pin with --fingerprint <new> --replace, audited with both fingerprints, and connect works again', async () => {
    const replaced = await runCli(['host-key', 'trust', 'rig', '--fingerprint', newFingerprint, '--replace'], env);
    expect(replaced.stderr).toBe(`${sshd.host}:${sshd.port} presents: ssh-ed25519 ${newFingerprint}\npinned now (${knownHostsPath}): ssh-ed25519 ${oldFingerprint}\n`);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toBe(`Pinned ssh-ed25519 ${newFingerprint} for ${sshd.host}:${sshd.port} in ${knownHostsPath} (replacing ssh-ed25519 ${oldFingerprint}).\n`);
    expect(knownHosts()).toBe(`[${sshd.host}]:${sshd.port} ${sshd.hostKeys[0]!.publicKey}\n`);
    expect(audit().at(-1)).toMatchObject({
      kind: 'host-key-trusted',
      detail: `${sshd.host}:${sshd.port} ssh-ed25519 ${newFingerprint} (replacing ssh-ed25519 ${oldFingerprint}) in ${knownHostsPath}`,
    });

    const child = spawnCli(['connect', 'rig', 'echo'], env);
    await waitForLine(child, /^ready echo /);
    expect(await roundTrip(localPort, 'past the rebuilt jump box')).toBe('past the rebuilt jump box');
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it("forgets only the jump host's pins (a hashed entry of the same host too); other hosts' lines and comments stay", async () => {
    const name = `[${sshd.host}]:${sshd.port}`;
    const hashedName = (host: string): string => {
      const salt = randomBytes(20);
      return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(host).digest('base64')}`;
    };
    const [hashedMine, otherKey, hashedOtherKey] = [parsableKeyPair('ed25519').public, parsableKeyPair('ed25519').public, parsableKeyPair('ed25519').public].map((line) =>
      line.split(' ').slice(0, 2).join(' '),
    ) as [string, string, string];
    const others = ['# team bastions, kept by hand', `bastion.example.com ${otherKey}`, '', `${hashedName('[bastion.example.com]:2222')} ${hashedOtherKey}`];
    writeFileSync(knownHostsPath, [others[0], `${name} ${sshd.hostKeys[0]!.publicKey}`, others[1], others[2], `${hashedName(name)} ${hashedMine}`, others[3], ''].join('\n'));

    const forgotten = await runCli(['host-key', 'forget', 'rig'], env);
    expect(forgotten.code).toBe(0);
    expect(forgotten.stdout).toBe(
      `Removed from ${knownHostsPath} for ${sshd.host}:${sshd.port}:\n  ssh-ed25519 ${newFingerprint}\n  ssh-ed25519 ${fingerprintOf(hashedMine)}\n` +
        'The next connection asks about the host key as on a first visit.\n',
    );
    expect(knownHosts()).toBe([...others, ''].join('\n'));
    expect(audit().at(-1)).toEqual(
      expect.objectContaining({ kind: 'host-key-forgotten', detail: `${sshd.host}:${sshd.port}: removed ssh-ed25519 ${newFingerprint}, ssh-ed25519 ${fingerprintOf(hashedMine)} from ${knownHostsPath}` }),
    );
    const [hop] = await showJson();
    expect(hop).toMatchObject({ pinned: [], verdict: 'unknown', presented: { fingerprint: newFingerprint } });

    // Nothing left to forget: said so, the file and the audit log as they were.
    const again = await runCli(['host-key', 'forget', 'rig'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Nothing was pinned for ${sshd.host}:${sshd.port} in ${knownHostsPath}; nothing removed.\n`);
    expect(knownHosts()).toBe([...others, ''].join('\n'));
    expect(audit().filter((line) => line.kind === 'host-key-forgotten')).toHaveLength(1);
  });

  it('on a terminal, without --fingerprint, asks y/N showing the fingerprint: no trusts nothing, yes pins it', async () => {
    const question = `Trust ssh-ed25519 ${newFingerprint} for ${sshd.host}:${sshd.port}? [y/N] `;
    for (const [answer, code] of [['n', 1], ['y', 0]] as const) {
      const term = runCliOnTerminal(['host-key', 'trust', 'rig'], env);
      await term.waitFor(/\[y\/N\]/);
      term.type(`${answer}\r`);
      const { exitCode } = await term.exit;
      const stdout = term.output();
      expect(stdout).toContain(question);
      expect(exitCode).toBe(code);
      if (answer === 'n') {
        expect(stdout).toContain('Nothing was trusted.');
        expect(await showJson()).toMatchObject([{ pinned: [], verdict: 'unknown' }]);
      } else {
        expect(stdout).toContain(`Pinned ssh-ed25519 ${newFingerprint} for ${sshd.host}:${sshd.port} in ${knownHostsPath}.`);
        expect(await showJson()).toMatchObject([{ pinned: [{ fingerprint: newFingerprint }], verdict: 'trusted' }]);
        expect(audit().at(-1)).toMatchObject({ kind: 'host-key-trusted', detail: expect.stringContaining(`${newFingerprint} (confirmed by its fingerprint)`) });
      }
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
