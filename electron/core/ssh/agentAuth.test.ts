import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../../e2e/rig/daemon';
import { startEngine, trustSshd } from '../../../e2e/rig/engine';
import { makeOpenSshKey } from '../../../e2e/rig/keys';
import { peerPath, peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import type { JumpgateError } from '../../../shared/model/errors';
import type { JumpHost } from '../../../shared/model/jumpHost';
import type { AgentEnvironment } from './agentChoice';
import { createPageantAccess, PageantAgent, ssh2PageantHelper } from './pageant';

const run = promisify(execFile);

/**
 * A stand-in for ssh2's pagent.exe (which only runs on Windows, against Pageant's window): the
 * same contract (request length as the argument, the request on stdin, the reply on stdout,
 * status 11 when Pageant is not running), answered by a real ssh-agent behind a Unix socket.
 * What this proves is Jumpgate's side: the framing, the helper's statuses, and ssh2 driving it.
 */
function standInHelper(dir: string, name: string, behaviour: { agentSocket?: string; refuseSigning?: boolean }): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!${process.execPath}
const net = require('node:net');
const agentSocket = ${JSON.stringify(behaviour.agentSocket ?? null)};
if (!agentSocket) process.exit(11);
const request = require('node:fs').readFileSync(0);
if (request.length !== Number(process.argv[2])) process.exit(15);
// SSH_AGENTC_SIGN_REQUEST is 13: a Pageant closed between listing keys and signing.
if (${behaviour.refuseSigning ? 'true' : 'false'} && request[4] === 13) process.exit(11);
const socket = net.connect(agentSocket);
let reply = Buffer.alloc(0);
socket.on('data', (chunk) => {
  reply = Buffer.concat([reply, chunk]);
  if (reply.length >= 4 && reply.length >= 4 + reply.readUInt32BE(0)) {
    socket.destroy();
    process.stdout.write(reply.subarray(0, 4 + reply.readUInt32BE(0)), () => process.exit(0));
  }
});
socket.on('error', () => process.exit(11));
socket.write(request);
`,
  );
  chmodSync(path, 0o755);
  return path;
}

async function connectOutcome(agents: Partial<AgentEnvironment>, jumpHost: JumpHost, sshd: SshdPeer): Promise<'ready' | JumpgateError> {
  const engine = startEngine({ pool: { agents, readyTimeoutMs: 10_000 } });
  await trustSshd(engine.knownHosts, sshd);
  const lease = engine.pool.acquire(jumpHost);
  try {
    await lease.connection.whenReady();
    return 'ready';
  } catch (error) {
    return error as JumpgateError;
  } finally {
    await lease.release();
    await engine.dispose();
  }
}

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'ssh-agent', 'ssh-add'))('agent authentication against a real sshd', () => {
  let dir: string;
  let sshd: SshdPeer;
  let agent: Daemon;
  let emptyAgent: Daemon;
  const agentSocket = (): string => join(dir, 'agent.sock');
  const emptySocket = (): string => join(dir, 'empty.sock');
  const hop = (auth: JumpHost['auth']): JumpHost => ({ host: sshd.host, port: sshd.port, user: sshd.user, auth, via: [] });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-agents-'));
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    sshd = await SshdPeer.start({ authorizedKeys: [key.publicKey] });
    [agent, emptyAgent] = await Promise.all([
      startDaemon(peerPath('ssh-agent'), ['-D', '-a', agentSocket()], { ready: /SSH_AUTH_SOCK/ }),
      startDaemon(peerPath('ssh-agent'), ['-D', '-a', emptySocket()], { ready: /SSH_AUTH_SOCK/ }),
    ]);
    await run(peerPath('ssh-add'), [key.privatePath], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket() } });
  });

  afterAll(async () => {
    await Promise.all([agent?.stop(), emptyAgent?.stop(), sshd?.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('Pageant, through a stand-in for its helper', () => {
    it("by default runs ssh2's own helper, found from ssh2's location", () => {
      expect(ssh2PageantHelper()).toMatch(/node_modules[/\\]ssh2[/\\]util[/\\]pagent\.exe$/);
      expect(existsSync(ssh2PageantHelper())).toBe(true);
    });

    it('probes: running when it lists keys, not running on status 11, and a missing helper says why', async () => {
      expect(await createPageantAccess({ helperPath: standInHelper(dir, 'pageant-up', { agentSocket: agentSocket() }) }).probe()).toEqual({ running: true });
      expect(await createPageantAccess({ helperPath: standInHelper(dir, 'pageant-down', {}) }).probe()).toEqual({ running: false, reason: 'Pageant is not running' });
      const missing = await createPageantAccess({ helperPath: join(dir, 'no-such-pagent.exe') }).probe();
      expect(missing).toEqual({ running: false, reason: 'the Pageant helper could not run (ENOENT)' });
    });

    it('logs in with the key Pageant holds, chosen explicitly or as the Windows default', async () => {
      const pageant = createPageantAccess({ helperPath: standInHelper(dir, 'pageant', { agentSocket: agentSocket() }) });
      const windows = { platform: 'win32' as const, env: () => ({}), pageant };
      expect(await connectOutcome(windows, hop({ kind: 'agent', agent: 'pageant' }), sshd)).toBe('ready');
      expect(await connectOutcome(windows, hop({ kind: 'agent' }), sshd)).toBe('ready');
      expect(pageant.agent()).toBeInstanceOf(PageantAgent);
    });

    it('Pageant gone between listing keys and signing: AGENT_UNAVAILABLE naming Pageant, with start it and add your .ppk', async () => {
      const pageant = createPageantAccess({ helperPath: standInHelper(dir, 'pageant-flaky', { agentSocket: agentSocket(), refuseSigning: true }) });
      const outcome = await connectOutcome({ platform: 'win32', env: () => ({}), pageant }, hop({ kind: 'agent', agent: 'pageant' }), sshd);
      expect(outcome).toMatchObject({
        code: 'AGENT_UNAVAILABLE',
        message: 'This profile uses Pageant, but Jumpgate could not use it: Pageant is not running.',
        hint: expect.stringMatching(/add your \.ppk key/),
      });
    });

    it('Windows default with neither Pageant nor the OpenSSH service running: both named, nothing retried', async () => {
      const pageant = createPageantAccess({ helperPath: standInHelper(dir, 'pageant-off', {}) });
      // On Linux the pipe path is just a socket path that does not exist: ssh2 fails to reach it as it would on Windows.
      const outcome = await connectOutcome({ platform: 'win32', env: () => ({}), pageant }, hop({ kind: 'agent' }), sshd);
      expect(outcome).toMatchObject({ code: 'AGENT_UNAVAILABLE', hint: expect.stringContaining('Start-Service ssh-agent') });
      expect((outcome as JumpgateError).message).toMatch(/neither answered: Pageant \(Pageant is not running\) nor the Windows OpenSSH agent/);
    });
  });

  describe('OpenSSH agents', () => {
    it('a stale SSH_AUTH_SOCK (no agent behind it) is AGENT_UNAVAILABLE naming the socket, not a lost connection', async () => {
      const stale = join(dir, 'gone.sock');
      const outcome = await connectOutcome({ platform: 'linux', env: () => ({ SSH_AUTH_SOCK: stale }) }, hop({ kind: 'agent' }), sshd);
      expect(outcome).toMatchObject({
        code: 'AGENT_UNAVAILABLE',
        message: `This profile uses the SSH agent at ${stale} (SSH_AUTH_SOCK), but it did not answer: Failed to connect to agent.`,
        hint: expect.stringMatching(/ssh-add/),
      });
    });

    it('an agent holding no key the jump box accepts: AUTH_FAILED naming the agent', async () => {
      const outcome = await connectOutcome({ platform: 'linux', env: () => ({}) }, hop({ kind: 'agent', socketPath: emptySocket() }), sshd);
      expect(outcome).toMatchObject({
        code: 'AUTH_FAILED',
        message: expect.stringContaining(`with every key the SSH agent at ${emptySocket()} offered`),
        hint: expect.stringContaining('holds your key'),
      });
    });

    it('"openssh" on Linux is SSH_AUTH_SOCK, and logs in', async () => {
      expect(await connectOutcome({ platform: 'linux', env: () => ({ SSH_AUTH_SOCK: agentSocket() }) }, hop({ kind: 'agent', agent: 'openssh' }), sshd)).toBe('ready');
    });
  });
});
