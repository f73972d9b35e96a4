import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pickPort, startDaemon, type Daemon } from '../../../e2e/rig/daemon';
import { jumpHostFor, startEngine, trustSshd, type EngineUnderTest } from '../../../e2e/rig/engine';
import { makeOpenSshKey, makePuttyKey } from '../../../e2e/rig/keys';
import { peerPath, peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { closedPort, startEchoServer, startSinkServer, type TcpPeer } from '../../../e2e/rig/tcpPeers';
import { detailsOf, type JumpgateError } from '../../../shared/model/errors';
import { hostKeyFromBlob } from './knownHosts';

const run = promisify(execFile);

/** Every key kind the jump box must accept, in the order beforeAll generates them. */
const KEY_CASES = [
  'openssh ed25519',
  'openssh ed25519 + passphrase',
  'openssh rsa-3072 + passphrase',
  'openssh ecdsa-256',
  'pem rsa-2048 + passphrase',
  'pkcs8 ecdsa',
  'ppk v3 ed25519',
  'ppk v3 ed25519 + passphrase',
  'ppk v3 rsa-4096 + passphrase',
  'ppk v3 ecdsa-256 + passphrase',
  'ppk v2 rsa-2048',
  'ppk v2 ed25519 + passphrase',
  'ppk v2 ecdsa-384',
] as const;

async function connectError(engine: EngineUnderTest, jumpHost: Parameters<EngineUnderTest['pool']['acquire']>[0]): Promise<JumpgateError> {
  const lease = engine.pool.acquire(jumpHost);
  try {
    await lease.connection.whenReady();
  } catch (error) {
    return error as JumpgateError;
  } finally {
    await lease.release();
  }
  throw new Error('expected the connection to fail');
}

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'puttygen', 'ssh-agent', 'ssh-add'))('JumpHostPool against a real sshd', () => {
  let keyDir: string;
  const passphrase = 'correct horse battery staple';
  let keys: Record<string, { privatePath: string; publicKey: string; passphrase?: string }>;
  let stranger: { privatePath: string; publicKey: string };
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let engine: EngineUnderTest;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-keys-'));
    const withPass = { passphrase };
    const made = await Promise.all([
      makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' }),
      makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh', ...withPass }),
      makeOpenSshKey(keyDir, { type: 'rsa', bits: 3072, format: 'openssh', ...withPass }),
      makeOpenSshKey(keyDir, { type: 'ecdsa', format: 'openssh' }),
      makeOpenSshKey(keyDir, { type: 'rsa', bits: 2048, format: 'pem', ...withPass }),
      makeOpenSshKey(keyDir, { type: 'ecdsa', format: 'pkcs8' }),
      makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 3 }),
      makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 3, ...withPass }),
      makePuttyKey(keyDir, { type: 'rsa', bits: 4096, ppkVersion: 3, ...withPass }),
      makePuttyKey(keyDir, { type: 'ecdsa', bits: 256, ppkVersion: 3, ...withPass }),
      makePuttyKey(keyDir, { type: 'rsa', bits: 2048, ppkVersion: 2 }),
      makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 2, ...withPass }),
      makePuttyKey(keyDir, { type: 'ecdsa', bits: 384, ppkVersion: 2 }),
    ]);
    keys = Object.fromEntries(
      KEY_CASES.map((name, index) => [name, { ...made[index]!, ...(name.includes('passphrase') ? withPass : {}) }]),
    );
    stranger = await makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' });
    [sshd, echo] = await Promise.all([
      SshdPeer.start({ authorizedKeys: Object.values(keys).map((key) => key.publicKey) }),
      startEchoServer(),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await engine?.dispose();
  });

  function engineWith(passphraseFor?: (keyPath: string) => Promise<string | undefined>): EngineUnderTest {
    engine = startEngine({ pool: { readyTimeoutMs: 5000, ...(passphraseFor ? { passphraseFor } : {}) } });
    return engine;
  }

  it.each(KEY_CASES)('logs in with a %s key and forwards', async (name) => {
    const key = keys[name]!;
    const asked: string[] = [];
    const { pool, knownHosts } = engineWith(async (path) => {
      asked.push(path);
      return path === key.privatePath ? key.passphrase : undefined;
    });
    await trustSshd(knownHosts, sshd);
    const lease = pool.acquire(jumpHostFor(sshd, key.privatePath));
    await lease.connection.whenReady();
    const channel = await lease.connection.forwardOut('127.0.0.1', echo.port);
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      channel.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      channel.once('close', () => resolve(text));
      channel.end(`hello from ${name}`);
    });
    expect(reply).toBe(`hello from ${name}`);
    // The passphrase (in the app, perhaps from the OS keychain) is looked up only for a key that has one.
    expect(asked).toEqual(key.passphrase === undefined ? [] : [key.privatePath]);
    await lease.release();
    expect(pool.size).toBe(0);
  });

  it('shares one connection between leases and closes it with the last one', async () => {
    const { pool, knownHosts } = engineWith();
    await trustSshd(knownHosts, sshd);
    const jumpHost = jumpHostFor(sshd, keys['openssh ed25519']!.privatePath);
    const first = pool.acquire(jumpHost);
    const second = pool.acquire(jumpHost);
    expect(second.connection).toBe(first.connection);
    await Promise.all([first.connection.whenReady(), second.connection.whenReady()]);
    expect(pool.size).toBe(1);
    await first.release();
    await first.release(); // releasing twice must not steal the other lease's reference
    expect(first.connection.state.status).toBe('ready');
    await second.release();
    expect(first.connection.state.status).toBe('closed');
    expect(pool.size).toBe(0);
  });

  it('keeps a profile that allows ssh-rsa (SHA-1) off the connection the others share, and the others off its', async () => {
    const { pool, knownHosts } = engineWith();
    await trustSshd(knownHosts, sshd);
    const jumpHost = jumpHostFor(sshd, keys['openssh ed25519']!.privatePath);
    const modern = pool.acquire(jumpHost);
    const legacy = pool.acquire(jumpHost, { algorithms: { allowSshRsaSha1: true } });
    const modernAgain = pool.acquire(jumpHost, { algorithms: { allowSshRsaSha1: false } });
    const legacyAgain = pool.acquire(jumpHost, { algorithms: { allowSshRsaSha1: true } });
    expect(legacy.connection).not.toBe(modern.connection);
    expect(modernAgain.connection).toBe(modern.connection);
    expect(legacyAgain.connection).toBe(legacy.connection);
    await Promise.all([modern.connection.whenReady(), legacy.connection.whenReady()]);
    expect(pool.size).toBe(2);
    expect(sshd.connectionCount()).toBeGreaterThanOrEqual(2);
    await Promise.all([modern.release(), legacy.release(), modernAgain.release(), legacyAgain.release()]);
    expect(pool.size).toBe(0);
  });

  it('surfaces an unknown host key with its SHA256 fingerprint, then connects once it is trusted', async () => {
    const { pool } = engineWith();
    const jumpHost = jumpHostFor(sshd, keys['openssh ed25519']!.privatePath);
    const error = await connectError(engine, jumpHost);
    expect(error.code).toBe('HOST_KEY_UNKNOWN');
    const details = detailsOf(error, 'HOST_KEY_UNKNOWN');
    const fingerprint = details?.fingerprint as string;
    expect(sshd.hostKeys.map((key) => key.fingerprint)).toContain(fingerprint);
    expect(error.message).toContain(fingerprint);

    await pool.trustHostKey(sshd.host, sshd.port, hostKeyFromBlob(Buffer.from(details?.publicKey as string, 'base64')));
    const lease = pool.acquire(jumpHost);
    await expect(lease.connection.whenReady()).resolves.toBeUndefined();
    await lease.release();
  });

  it('refuses a changed host key with HOST_KEY_MISMATCH and forwards nothing', async () => {
    const own = await SshdPeer.start({ authorizedKeys: [keys['openssh ed25519']!.publicKey] });
    const sink: TcpPeer = await startSinkServer();
    try {
      const { manager, knownHosts } = engineWith();
      await trustSshd(knownHosts, own);
      const jumpHost = jumpHostFor(own, keys['openssh ed25519']!.privatePath);
      // The box is rebuilt (or impersonated) on the same address.
      await own.regenerateHostKeys();
      await own.restart();
      const error = (await manager
        .start({ id: 'mitm', jumpHost, remoteHost: '127.0.0.1', remotePort: sink.port, localPort: await pickPort() })
        .catch((caught: unknown) => caught)) as JumpgateError;
      expect(error.code).toBe('HOST_KEY_MISMATCH');
      expect(error.hint).toMatch(/Do not connect/);
      expect(error.message).toContain(own.hostKeys[0]!.fingerprint);
      // Issue #18: the new key travels as HOST_KEY_UNKNOWN's does, and the hint says where the pin lives and the way forward.
      expect(detailsOf(error, 'HOST_KEY_MISMATCH')).toMatchObject({ publicKey: own.hostKeys[0]!.publicKey.split(' ')[1], knownHostsPath: knownHosts.path });
      expect(error.hint).toContain(knownHosts.path);
      expect(error.hint).toContain(`jumpgate host-key trust <profile> --fingerprint ${own.hostKeys[0]!.fingerprint} --replace`);
      expect(sink.connections).toBe(0);
      expect(sink.bytesReceived).toBe(0);
    } finally {
      await Promise.all([own.dispose(), sink.close()]);
    }
  });

  // Issue #17: an `@revoked` line in known_hosts was ignored; a revoked key is refused even when also pinned.
  it('refuses a host key marked @revoked with HOST_KEY_REVOKED even though it is pinned, and forwards nothing', async () => {
    const sink: TcpPeer = await startSinkServer();
    try {
      const { manager, knownHosts } = engineWith();
      await trustSshd(knownHosts, sshd);
      // Every key this sshd has is revoked (as OpenSSH writes it: a wildcard host), whichever it presents.
      for (const hostKey of sshd.hostKeys) appendFileSync(knownHosts.path, `@revoked * ${hostKey.publicKey}\n`);
      const error = (await manager
        .start({ id: 'revoked', jumpHost: jumpHostFor(sshd, keys['openssh ed25519']!.privatePath), remoteHost: '127.0.0.1', remotePort: sink.port, localPort: await pickPort() })
        .catch((caught: unknown) => caught)) as JumpgateError;
      expect(error.code).toBe('HOST_KEY_REVOKED');
      const details = detailsOf(error, 'HOST_KEY_REVOKED');
      const presented = sshd.hostKeys.find((hostKey) => hostKey.fingerprint === details?.fingerprint);
      expect(presented).toBeDefined();
      expect(details).toEqual({ host: sshd.host, port: sshd.port, keyType: presented!.publicKey.split(' ')[0], fingerprint: presented!.fingerprint });
      expect(error.message).toContain(presented!.fingerprint);
      expect(error.hint).toMatch(/Do not connect/);
      expect(sink.connections).toBe(0);
      // Trusting it again does not help: the store refuses a revoked key.
      const blob = Buffer.from(presented!.publicKey.split(' ')[1]!, 'base64');
      await expect(knownHosts.pin(sshd.host, sshd.port, hostKeyFromBlob(blob))).rejects.toMatchObject({ code: 'HOST_KEY_REVOKED' });
    } finally {
      await sink.close();
    }
  });

  it('fails a running tunnel for good when the host key changes during a reconnect', async () => {
    const own = await SshdPeer.start({ authorizedKeys: [keys['openssh ed25519']!.publicKey] });
    try {
      engine = startEngine({ pool: { backoff: { baseMs: 50, capMs: 200 }, readyTimeoutMs: 3000 } });
      await trustSshd(engine.knownHosts, own);
      const localPort = await pickPort();
      await engine.manager.start({
        id: 'swap',
        jumpHost: jumpHostFor(own, keys['openssh ed25519']!.privatePath),
        remoteHost: '127.0.0.1',
        remotePort: echo.port,
        localPort,
      });
      await own.regenerateHostKeys();
      await own.restart();
      const failed = await engine.waitForTunnel('swap', (state) => state.status === 'failed', 'failed on new host key');
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'HOST_KEY_MISMATCH' } });
    } finally {
      await own.dispose();
    }
  });

  it('reports AUTH_FAILED for a key the jump box does not know', async () => {
    const { knownHosts } = engineWith();
    await trustSshd(knownHosts, sshd);
    const error = await connectError(engine, jumpHostFor(sshd, stranger.privatePath));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain(sshd.user);
    expect(error.hint).toMatch(/authorized_keys/);
  });

  it('reports BAD_PASSPHRASE and PASSPHRASE_REQUIRED for an encrypted key', async () => {
    const key = keys['ppk v3 ed25519 + passphrase']!;
    engineWith(async () => 'not the passphrase');
    await trustSshd(engine.knownHosts, sshd);
    const wrong = await connectError(engine, jumpHostFor(sshd, key.privatePath));
    expect(wrong.code).toBe('BAD_PASSPHRASE');
    expect(wrong.hint).toBeTruthy();
    expect(wrong.message).not.toContain('not the passphrase');
    await engine.dispose();

    engineWith(async () => undefined);
    await trustSshd(engine.knownHosts, sshd);
    const missing = await connectError(engine, jumpHostFor(sshd, key.privatePath));
    expect(missing.code).toBe('PASSPHRASE_REQUIRED');
  });

  it('reports JUMP_HOST_UNREACHABLE when nothing listens', async () => {
    engineWith();
    const port = await closedPort();
    const error = await connectError(engine, { ...jumpHostFor(sshd, keys['openssh ed25519']!.privatePath), port });
    expect(error.code).toBe('JUMP_HOST_UNREACHABLE');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.hint).toMatch(/security group/);
  });

  it('reaches a jump host through another one (ProxyJump) over the outer pooled connection', async () => {
    const inner = await SshdPeer.start({ authorizedKeys: [keys['ppk v3 ed25519']!.publicKey] });
    try {
      const { manager, pool, knownHosts } = engineWith();
      await trustSshd(knownHosts, sshd);
      await trustSshd(knownHosts, inner);
      const outerHop = jumpHostFor(sshd, keys['openssh ed25519']!.privatePath);
      const { via: _unused, ...outer } = outerHop;
      const jumpHost = { ...jumpHostFor(inner, keys['ppk v3 ed25519']!.privatePath), via: [outer] };
      const localPort = await pickPort();
      const outerConnectionsBefore = sshd.connectionCount();
      await manager.start({ id: 'chain', jumpHost, remoteHost: '127.0.0.1', remotePort: echo.port, localPort });
      expect(pool.size).toBe(2);
      expect(sshd.connectionCount()).toBe(outerConnectionsBefore + 1);
      expect(inner.connectionCount()).toBe(1);
      const entry = manager.get('chain');
      expect(entry?.endpoint.jumpHost).toBe(`${inner.user}@127.0.0.1:${inner.port} via ${sshd.user}@127.0.0.1:${sshd.port}`);
      await manager.stop('chain');
      expect(pool.size).toBe(0);
    } finally {
      await inner.dispose();
    }
  });

  it('authenticates through ssh-agent', async () => {
    const agentDir = mkdtempSync(join(tmpdir(), 'jumpgate-agent-'));
    const socketPath = join(agentDir, 'agent.sock');
    let agent: Daemon | undefined;
    try {
      agent = await startDaemon(peerPath('ssh-agent'), ['-D', '-a', socketPath], { ready: /SSH_AUTH_SOCK/ });
      await run(peerPath('ssh-add'), [keys['openssh ecdsa-256']!.privatePath], { env: { ...process.env, SSH_AUTH_SOCK: socketPath } });
      const { pool, knownHosts } = engineWith();
      await trustSshd(knownHosts, sshd);
      const lease = pool.acquire({ host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'agent', socketPath }, via: [] });
      await expect(lease.connection.whenReady()).resolves.toBeUndefined();
      await lease.release();
    } finally {
      await agent?.stop();
      rmSync(agentDir, { recursive: true, force: true });
    }
  });

  it('reports AGENT_UNAVAILABLE when no agent is running', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      engineWith();
      await trustSshd(engine.knownHosts, sshd);
      const error = await connectError(engine, { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'agent' }, via: [] });
      expect(error.code).toBe('AGENT_UNAVAILABLE');
      expect(error.hint).toMatch(/ssh-add/);
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
  });
});

