import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { utils, type AgentAuthMethod, type BaseAgent, type ParsedKey, type PublicKeyAuthMethod } from 'ssh2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../../e2e/rig/daemon';
import { jumpHostFor, startEngine, trustSshd, type EngineUnderTest } from '../../../e2e/rig/engine';
import { makeOpenSshKey, type RigKey } from '../../../e2e/rig/keys';
import { peerPath, peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { startEchoServer, type TcpPeer } from '../../../e2e/rig/tcpPeers';
import { detailsOf, type JumpgateError } from '../../../shared/model/errors';
import type { JumpHost } from '../../../shared/model/jumpHost';
import type { ConnectionTuning } from './jumpHostPool';
import { loginPlan } from './sshAlgorithms';
import { SshReader } from './sshWire';

/** OpenSSH 9.2's client defaults (ssh -G), for comparison: what Jumpgate offers must be inside them. */
const OPENSSH9 = {
  kex: 'sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256',
  hostKey:
    'ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256',
  cipher: 'chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com',
  mac: 'umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1',
  compression: 'none',
};
/** The markers ssh2 adds to the KEX list (extension negotiation, strict KEX): not algorithms. */
const KEX_MARKERS = ['ext-info-c', 'kex-strict-c-v00@openssh.com'];

interface KexInit {
  kex: string[];
  hostKey: string[];
  cipherCs: string[];
  cipherSc: string[];
  macCs: string[];
  macSc: string[];
  compressionCs: string[];
  compressionSc: string[];
}

/**
 * A TCP peer that reads what a client offers: the client's version line, then its first binary
 * packet, the unencrypted SSH_MSG_KEXINIT (RFC 4253 7.1), whose name-lists it parses.
 */
function kexInitListener(): Promise<{ port: number; offered: Promise<KexInit>; server: Server }> {
  return new Promise((resolveListening) => {
    let deliver: (kexInit: KexInit) => void = () => undefined;
    const offered = new Promise<KexInit>((resolve) => (deliver = resolve));
    const server = createServer((socket: Socket) => {
      // ssh2 sends its KEXINIT once it has seen the server's version line.
      socket.write('SSH-2.0-OpenSSH_9.2\r\n');
      let bytes = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        bytes = Buffer.concat([bytes, chunk]);
        const lineEnd = bytes.indexOf('\r\n');
        if (lineEnd < 0) return;
        const packet = bytes.subarray(lineEnd + 2);
        if (packet.length < 4 || packet.length < 4 + packet.readUInt32BE(0)) return;
        const reader = new SshReader(packet);
        reader.readUint32();
        reader.readBytes(1);
        expect(reader.readBytes(1)[0]).toBe(20);
        reader.readBytes(16);
        const list = (): string[] => reader.readText().split(',');
        deliver({ kex: list(), hostKey: list(), cipherCs: list(), cipherSc: list(), macCs: list(), macSc: list(), compressionCs: list(), compressionSc: list() });
        socket.destroy();
      });
    });
    server.listen(0, '127.0.0.1', () => resolveListening({ port: (server.address() as { port: number }).port, offered, server }));
  });
}

const run = promisify(execFile);

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'ssh-agent', 'ssh-add'))('SSH algorithms: what OpenSSH 9 offers, no SHA-1 ssh-rsa unless a profile allows it', () => {
  let keyDir: string;
  let rsaKey: RigKey;
  let echo: TcpPeer;
  let engine: EngineUnderTest | undefined;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-alg-keys-'));
    [rsaKey, echo] = await Promise.all([makeOpenSshKey(keyDir, { type: 'rsa', format: 'openssh' }), startEchoServer()]);
  }, 60_000);

  afterAll(async () => {
    await echo?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await engine?.dispose();
    engine = undefined;
  });

  /** What a connection offers on the wire: the client's KEXINIT, read by a listener standing in for the jump box's port. */
  async function offeredBy(tuning: ConnectionTuning): Promise<KexInit> {
    const listener = await kexInitListener();
    await engine?.dispose();
    engine = startEngine({ pool: { readyTimeoutMs: 5000 } });
    const lease = engine.pool.acquire({ host: '127.0.0.1', port: listener.port, user: 'probe', auth: { kind: 'key', keyPath: rsaKey.privatePath }, via: [] }, tuning);
    lease.connection.whenReady().catch(() => undefined);
    try {
      return await listener.offered;
    } finally {
      await lease.release();
      listener.server.close();
    }
  }

  it('offers only algorithms OpenSSH 9 offers by default: no ssh-rsa host key, no SHA-1 key exchange, no zlib before login', async () => {
    const offered = await offeredBy({});
    const within = (list: string[], allowed: string): void => expect(list.filter((name) => !allowed.split(',').includes(name))).toEqual([]);
    within(offered.kex.filter((name) => !KEX_MARKERS.includes(name)), OPENSSH9.kex);
    within(offered.hostKey, OPENSSH9.hostKey);
    within([...offered.cipherCs, ...offered.cipherSc], OPENSSH9.cipher);
    within([...offered.macCs, ...offered.macSc], OPENSSH9.mac);
    within([...offered.compressionCs, ...offered.compressionSc], OPENSSH9.compression);
    expect(offered.hostKey).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256']);
    expect(offered.kex).not.toContain('diffie-hellman-group14-sha1');
    expect(offered.kex).toContain('curve25519-sha256');
    expect(offered.cipherCs).toContain('aes128-gcm@openssh.com');
  });

  it('adds ssh-rsa, last, only for a profile that allows it', async () => {
    const offered = await offeredBy({ algorithms: { allowSshRsaSha1: true } });
    expect(offered.hostKey.at(-1)).toBe('ssh-rsa');
    expect(offered.hostKey.filter((name) => name === 'ssh-rsa')).toHaveLength(1);
  });

  it('signs with an RSA key as rsa-sha2-512, then rsa-sha2-256; SHA-1 is only asked about, never signed, unless allowed', () => {
    const keyFile = readFileSync(rsaKey.privatePath);
    const plan = loginPlan('deploy', { privateKey: keyFile }, { allowSshRsaSha1: false });
    const keys = plan.attempts.filter((attempt): attempt is PublicKeyAuthMethod => attempt.type === 'publickey').map((attempt) => attempt.key as ParsedKey);
    // The first two are named after their signature; the last is offered as ssh-rsa by offerUnderOwnName.
    expect(keys.map((key) => key.type)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    const data = Buffer.from('session data');
    const original = utils.parseKey(keyFile) as ParsedKey;
    // Each signature verifies with the hash its name promises.
    expect(original.verify(data, keys[0]!.sign(data), 'sha512')).toBe(true);
    expect(original.verify(data, keys[1]!.sign(data), 'sha256')).toBe(true);
    expect(plan.wantsSha1UserKey()).toBe(false);
    expect(keys[2]!.sign(data)).toBeInstanceOf(Error);
    expect(plan.wantsSha1UserKey()).toBe(true);

    const allowed = loginPlan('deploy', { privateKey: keyFile }, { allowSshRsaSha1: true });
    const lastKey = (allowed.attempts.at(-1) as PublicKeyAuthMethod).key as ParsedKey;
    expect(original.verify(data, lastKey.sign(data), 'sha1')).toBe(true);
  });

  describe('with the RSA key in a real ssh-agent', () => {
    let agentDir: string;
    let agent: Daemon;
    let socketPath: string;

    beforeAll(async () => {
      agentDir = mkdtempSync(join(tmpdir(), 'jumpgate-alg-agent-'));
      socketPath = join(agentDir, 'agent.sock');
      agent = await startDaemon(peerPath('ssh-agent'), ['-D', '-a', socketPath], { ready: /SSH_AUTH_SOCK/ });
      await run(peerPath('ssh-add'), [rsaKey.privatePath], { env: { ...process.env, SSH_AUTH_SOCK: socketPath } });
    });
    afterAll(async () => {
      await agent?.stop();
      rmSync(agentDir, { recursive: true, force: true });
    });

    it('lets the agent sign rsa-sha2-512 and rsa-sha2-256, refuses the SHA-1 signature ssh2 asks for without server-sig-algs, and names why', async () => {
      const plan = loginPlan('deploy', { agent: socketPath }, { allowSshRsaSha1: false });
      const agentAttempt = plan.attempts.find((attempt): attempt is AgentAuthMethod => attempt.type === 'agent');
      const guarded = agentAttempt?.agent as BaseAgent<ParsedKey>;
      const [identity] = await new Promise<ParsedKey[]>((resolve, reject) => guarded.getIdentities((error, keys) => (error ? reject(error) : resolve(keys as ParsedKey[]))));
      const key = utils.parseKey(identity as ParsedKey) as ParsedKey;
      expect(key.type).toBe('ssh-rsa');
      const data = Buffer.from('session data');
      const sign = (options: { hash?: 'sha1' | 'sha256' | 'sha512' }) =>
        new Promise<Buffer | Error>((resolve) => guarded.sign(key, data, options, (error, signature) => resolve(error ?? (signature as Buffer))));
      expect(key.verify(data, (await sign({ hash: 'sha512' })) as Buffer, 'sha512')).toBe(true);
      expect(key.verify(data, (await sign({ hash: 'sha256' })) as Buffer, 'sha256')).toBe(true);
      expect(plan.wantsSha1UserKey()).toBe(false);
      // ssh2 asks for no hash (SHA-1) when the server sent no server-sig-algs, or sha1 outright.
      expect(await sign({})).toBeInstanceOf(Error);
      expect(await sign({ hash: 'sha1' })).toBeInstanceOf(Error);
      expect(plan.wantsSha1UserKey()).toBe(true);

      const allowed = loginPlan('deploy', { agent: socketPath }, { allowSshRsaSha1: true }).attempts.find((attempt): attempt is AgentAuthMethod => attempt.type === 'agent');
      const signature = await new Promise<Buffer>((resolve, reject) =>
        (allowed?.agent as BaseAgent<ParsedKey>).sign(key, data, { hash: 'sha1' }, (error, signed) => (error ? reject(error) : resolve(signed as Buffer))),
      );
      expect(key.verify(data, signature, 'sha1')).toBe(true);
    });

    // ssh2 picks an agent key's signature from server-sig-algs, rsa-sha2-256 first (a box that takes
    // only rsa-sha2-512 refuses agent RSA keys; not changed here). The guard lets that signature through.
    it('logs in through the guarded agent with the RSA key, signing rsa-sha2-256', async () => {
      const sshd = await SshdPeer.start({ authorizedKeys: [rsaKey.publicKey], hostKeyTypes: ['ed25519'], extraConfig: ['PubkeyAcceptedAlgorithms rsa-sha2-256'] });
      try {
        engine = startEngine({ pool: { readyTimeoutMs: 5000 } });
        await trustSshd(engine.knownHosts, sshd);
        const lease = engine.pool.acquire({ host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'agent', socketPath }, via: [] });
        await expect(lease.connection.whenReady()).resolves.toBeUndefined();
        await lease.release();
      } finally {
        await sshd.dispose();
      }
    });
  });

  describe('against real sshd', () => {
    async function connect(sshd: SshdPeer, tuning: ConnectionTuning = {}, keyPath = rsaKey.privatePath): Promise<JumpgateError | 'forwarded'> {
      await engine?.dispose();
      engine = startEngine({ pool: { readyTimeoutMs: 5000 } });
      await trustSshd(engine.knownHosts, sshd);
      const jumpHost: JumpHost = jumpHostFor(sshd, keyPath);
      const lease = engine.pool.acquire(jumpHost, tuning);
      try {
        await lease.connection.whenReady();
        const channel = await lease.connection.forwardOut('127.0.0.1', echo.port);
        const reply = await new Promise<string>((resolve) => {
          let text = '';
          channel.on('data', (chunk: Buffer) => (text += chunk.toString()));
          channel.once('close', () => resolve(text));
          channel.end('ping');
        });
        expect(reply).toBe('ping');
        return 'forwarded';
      } catch (error) {
        return error as JumpgateError;
      } finally {
        await lease.release();
      }
    }

    it('refuses a jump box that speaks only ssh-rsa (host key and user key) with SSH_ALGORITHM_LEGACY, and connects once the profile allows it', async () => {
      const sshd = await SshdPeer.start({
        authorizedKeys: [rsaKey.publicKey],
        hostKeyTypes: ['rsa'],
        extraConfig: ['HostKeyAlgorithms ssh-rsa', 'PubkeyAcceptedAlgorithms ssh-rsa'],
      });
      try {
        const refused = await connect(sshd);
        expect(refused).not.toBe('forwarded');
        const error = refused as JumpgateError;
        expect(error.code).toBe('SSH_ALGORITHM_LEGACY');
        expect(error.message).toContain('ssh-rsa');
        expect(error.hint).toContain('Allow ssh-rsa (SHA-1) for this jump box');
        expect(error.hint).toContain('options.allowSshRsaSha1');
        expect(detailsOf(error, 'SSH_ALGORITHM_LEGACY')).toEqual({ host: sshd.host, port: sshd.port, algorithm: 'ssh-rsa', use: 'host-key' });

        expect(await connect(sshd, { algorithms: { allowSshRsaSha1: true } })).toBe('forwarded');

        // `host-key show` asks the box what it presents: the same refusal, and the key once allowed.
        const [refusedProbe] = await engine!.pool.probeHostKeys(jumpHostFor(sshd, rsaKey.privatePath));
        expect(refusedProbe?.error?.code).toBe('SSH_ALGORITHM_LEGACY');
        const [allowedProbe] = await engine!.pool.probeHostKeys(jumpHostFor(sshd, rsaKey.privatePath), { algorithms: { allowSshRsaSha1: true } });
        expect(allowedProbe?.probe?.key.type).toBe('ssh-rsa');
        expect(allowedProbe?.probe?.verdict).toBe('trusted');
      } finally {
        await sshd.dispose();
      }
    });

    it('refuses a jump box that takes an RSA user key only with SHA-1 signatures, naming it, and signs with SHA-1 once allowed', async () => {
      const sshd = await SshdPeer.start({ authorizedKeys: [rsaKey.publicKey], hostKeyTypes: ['ed25519'], extraConfig: ['PubkeyAcceptedAlgorithms ssh-rsa'] });
      try {
        const error = (await connect(sshd)) as JumpgateError;
        expect(error.code).toBe('SSH_ALGORITHM_LEGACY');
        expect(error.message).toMatch(/RSA key only with ssh-rsa signatures \(SHA-1\)/);
        expect(detailsOf(error, 'SSH_ALGORITHM_LEGACY')).toMatchObject({ algorithm: 'ssh-rsa', use: 'user-key' });
        expect(await connect(sshd, { algorithms: { allowSshRsaSha1: true } })).toBe('forwarded');
      } finally {
        await sshd.dispose();
      }
    });

    /** The publickey requests sshd saw, in order, as its debug log names them ("querying" carries no signature). */
    async function loginRequests(sshd: SshdPeer, end = /Accepted publickey for/): Promise<string[]> {
      const log = await sshd.untilLogged(end);
      return [...log.matchAll(/userauth-request for user \S+ service ssh-connection method (\S+)|userauth_pubkey: \S+ user \S+ (querying|attempting) public key (\S+)/g)].map((match) =>
        match[1] ? `method ${match[1]}` : `${match[2]} ${match[3]}`,
      );
    }

    // Every request at login is a round trip: 50-150 ms each to a jump box abroad (issue #14).
    it('logs in with one signed request: no none probe, no unsigned query first', async () => {
      const ed25519 = await makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' });
      const sshd = await SshdPeer.start({ authorizedKeys: [ed25519.publicKey], hostKeyTypes: ['ed25519'], extraConfig: ['LogLevel DEBUG2'] });
      try {
        expect(await connect(sshd, {}, ed25519.privatePath)).toBe('forwarded');
        expect(await loginRequests(sshd)).toEqual(['method publickey', 'attempting ssh-ed25519']);
      } finally {
        await sshd.dispose();
      }
    });

    it('signs an RSA key at once with rsa-sha2-512, then rsa-sha2-256 where only that is taken; the SHA-1 question stays a query', async () => {
      const sshd = await SshdPeer.start({ authorizedKeys: [rsaKey.publicKey], hostKeyTypes: ['ed25519'], extraConfig: ['LogLevel DEBUG2', 'PubkeyAcceptedAlgorithms rsa-sha2-256'] });
      try {
        expect(await connect(sshd)).toBe('forwarded');
        expect(await loginRequests(sshd)).toEqual(['method publickey', 'attempting rsa-sha2-512', 'method publickey', 'attempting rsa-sha2-256']);
      } finally {
        await sshd.dispose();
      }
      const legacy = await SshdPeer.start({ authorizedKeys: [rsaKey.publicKey], hostKeyTypes: ['ed25519'], extraConfig: ['LogLevel DEBUG2', 'PubkeyAcceptedAlgorithms ssh-rsa'] });
      try {
        expect(((await connect(legacy)) as JumpgateError).code).toBe('SSH_ALGORITHM_LEGACY');
        // Both SHA-2 signatures refused, SHA-1 is only asked about: nothing is ever signed with it.
        expect((await loginRequests(legacy, /Connection closed by authenticating user|Disconnected from authenticating user/)).filter((entry) => !entry.startsWith('method'))).toEqual(['attempting rsa-sha2-512', 'attempting rsa-sha2-256', 'querying ssh-rsa']);
      } finally {
        await legacy.dispose();
      }
    });

    it.each([['rsa-sha2-512'], ['rsa-sha2-256']])('logs in with an RSA user key and an RSA host key on a jump box that takes only %s', async (algorithm) => {
      const sshd = await SshdPeer.start({ authorizedKeys: [rsaKey.publicKey], hostKeyTypes: ['rsa'], extraConfig: [`PubkeyAcceptedAlgorithms ${algorithm}`, `HostKeyAlgorithms ${algorithm}`] });
      try {
        expect(await connect(sshd)).toBe('forwarded');
      } finally {
        await sshd.dispose();
      }
    });
  });
});
