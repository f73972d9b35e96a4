import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { JumpHost, JumpHostAuth, JumpHostHop } from '../../../shared/model/jumpHost';
import { jumpHostKey } from '../../../shared/model/jumpHostKey';
import { resolveAgent, systemAgentEnvironment, type AgentEnvironment, type ResolvedAgent } from './agentChoice';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { JumpgateError } from '../../../shared/model/errors';
import { JumpHostConnection, probeHostKey, type HopCredentials, type HostKeyProbe, type KeepalivePolicy } from './jumpHostConnection';
import { loadPrivateKeyFile } from './keyLoader';
import type { HostKey, KnownHostsStore } from './knownHosts';
import type { AlgorithmPolicy } from './sshAlgorithms';
import { processWindowBudget, type WindowBudget } from './receiveWindow';

export interface JumpHostPoolOptions {
  knownHosts: KnownHostsStore;
  /** Passphrase for an encrypted key (from memory or the OS keychain); undefined if not known. */
  passphraseFor?: (keyPath: string) => Promise<string | undefined>;
  /** ssh-agent socket when a hop asks for the agent without naming one (defaults to SSH_AUTH_SOCK). */
  agentSocket?: string | undefined;
  /** Where agents are looked for (platform, environment, Pageant): this machine's unless a test injects another. */
  agents?: Partial<AgentEnvironment>;
  keepalive?: Partial<KeepalivePolicy>;
  readyTimeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  now?: () => number;
  random?: () => number;
  /** Tunnel channels' receive windows: the process-wide budget unless a test measures its own. */
  windowBudget?: WindowBudget;
}

export const DEFAULT_KEEPALIVE: KeepalivePolicy = { intervalMs: 10_000, countMax: 3 };
const DEFAULT_READY_TIMEOUT_MS = 15_000;

/** Per-profile connection settings (keepalive, reconnect cap, legacy algorithms). */
export interface ConnectionTuning {
  keepalive?: Partial<KeepalivePolicy>;
  backoff?: Partial<BackoffPolicy>;
  /** Applies to every hop of the chain: the profile's opt-in is for its route, outer hops included. */
  algorithms?: Partial<AlgorithmPolicy>;
}

const MODERN_ONLY: AlgorithmPolicy = { allowSshRsaSha1: false };

/** A counted reference to a shared connection. Release exactly once. */
export interface JumpHostLease {
  readonly connection: JumpHostConnection;
  release(): Promise<void>;
}

interface PoolEntry {
  connection: JumpHostConnection;
  refs: number;
  /** The lease on the next hop out, for a host reached through ProxyJump. */
  outer: JumpHostLease | undefined;
}

/**
 * One SSH connection per jump host (user, host, port, route), shared by every
 * tunnel through it and closed when the last lease is released. Hosts behind
 * other hosts (ProxyJump) ride a channel of the outer host's pooled connection.
 */
export class JumpHostPool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly options: JumpHostPoolOptions;
  private readonly agents: AgentEnvironment;

  constructor(options: JumpHostPoolOptions) {
    this.options = options;
    this.agents = systemAgentEnvironment({ ...options.agents, ...(options.agentSocket ? { defaultSocket: options.agentSocket } : {}) });
  }

  /** Number of live SSH connections (each hop of a chain counts once). */
  get size(): number {
    return this.entries.size;
  }

  connection(key: string): JumpHostConnection | undefined {
    return this.entries.get(key)?.connection;
  }

  /**
   * A lease on the shared connection to `jumpHost`. `tuning` (keepalive, backoff)
   * applies when this call creates the connection; later leases share it as is.
   */
  acquire(jumpHost: JumpHost, tuning: ConnectionTuning = {}): JumpHostLease {
    const { via, ...hop } = jumpHost;
    return this.acquireHop(hop, via, tuning);
  }

  /** The agent a hop with agent auth would use now (the doctor names it); AGENT_UNAVAILABLE when none can answer. */
  agentFor(auth: Extract<JumpHostAuth, { kind: 'agent' }>): Promise<ResolvedAgent> {
    return resolveAgent(auth, this.agents);
  }

  /**
   * What each hop of `jumpHost` presents now, outermost first (the `via` hops, then the jump
   * host), judged against known_hosts. The first hop is asked directly; a hop behind others
   * through a lease on the outer hops (which log in as a connection would). A hop that cannot
   * be reached has its coded error instead; being unreachable is an answer here, not a failure.
   */
  async probeHostKeys(jumpHost: JumpHost, tuning: ConnectionTuning = {}): Promise<Array<{ hop: JumpHostHop; probe?: HostKeyProbe; error?: JumpgateError }>> {
    const { via, ...last } = jumpHost;
    const chain: JumpHostHop[] = [...via, last];
    const readyTimeoutMs = this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const results: Array<{ hop: JumpHostHop; probe?: HostKeyProbe; error?: JumpgateError }> = [];
    for (const [index, hop] of chain.entries()) {
      const outer = index > 0 ? this.acquireHop(chain[index - 1] as JumpHostHop, chain.slice(0, index - 1), tuning) : undefined;
      try {
        const probe = await probeHostKey({
          hop,
          knownHosts: this.options.knownHosts,
          readyTimeoutMs,
          algorithms: { ...MODERN_ONLY, ...tuning.algorithms },
          openSocket: outer ? (timeoutMs) => throughOuter(outer, hop, timeoutMs).catch((error: unknown) => Promise.reject(notReachedThrough(outer, hop, error))) : (timeoutMs) => directSocket(hop, timeoutMs),
        });
        results.push({ hop, probe });
      } catch (error) {
        results.push({ hop, error: error instanceof JumpgateError ? error : new JumpgateError('INTERNAL', String(error)) });
      } finally {
        await outer?.release();
      }
    }
    return results;
  }

  /** Pin a host key the user has confirmed (by fingerprint) for host:port. */
  async trustHostKey(host: string, port: number, key: HostKey, options: { replace?: boolean } = {}): Promise<void> {
    await this.options.knownHosts.pin(host, port, key, options);
  }

  /** Retry every reconnecting connection now (the machine woke up, or the network came back). */
  retryAllNow(): void {
    for (const entry of this.entries.values()) entry.connection.retryNow();
  }

  /** Close every connection, whatever holds a lease. Awaited on quit. */
  async dispose(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => entry.connection.close()));
    await Promise.all(entries.map((entry) => entry.outer?.release()));
  }

  private acquireHop(hop: JumpHostHop, via: readonly JumpHostHop[], tuning: ConnectionTuning): JumpHostLease {
    const key = jumpHostKey(hop, via);
    // A profile that allows SHA-1 ssh-rsa gets connections of its own: a shared one is negotiated
    // by whichever profile connects first, so a profile without the opt-in would otherwise ride a
    // connection that accepted an ssh-rsa host key or signed with SHA-1.
    const entryKey = tuning.algorithms?.allowSshRsaSha1 ? `${key} (ssh-rsa allowed)` : key;
    let entry = this.entries.get(entryKey);
    if (!entry) {
      const outer = via.length > 0 ? this.acquireHop(via[via.length - 1] as JumpHostHop, via.slice(0, -1), tuning) : undefined;
      const readyTimeoutMs = this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
      const connection = new JumpHostConnection({
        key,
        hop,
        knownHosts: this.options.knownHosts,
        // Keys are asked for outermost first: a hop behind another loads its key once the outer hop
        // is in, so a passphrase question (or any failure) is the outer hop's until it is answered.
        credentials: outer ? () => outerReady(outer, hop, readyTimeoutMs).then(() => this.credentialsFor(hop)) : () => this.credentialsFor(hop),
        openSocket: outer ? (timeoutMs) => throughOuter(outer, hop, timeoutMs) : (timeoutMs) => directSocket(hop, timeoutMs),
        keepalive: { ...DEFAULT_KEEPALIVE, ...this.options.keepalive, ...tuning.keepalive },
        readyTimeoutMs,
        backoff: { ...DEFAULT_BACKOFF, ...this.options.backoff, ...tuning.backoff },
        algorithms: { ...MODERN_ONLY, ...tuning.algorithms },
        now: this.options.now ?? Date.now,
        random: this.options.random ?? Math.random,
        windowBudget: this.options.windowBudget ?? processWindowBudget,
      });
      entry = { connection, refs: 0, outer };
      this.entries.set(entryKey, entry);
    }
    entry.refs += 1;
    const held = entry;
    let released = false;
    return {
      connection: held.connection,
      release: async () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (held.refs > 0 || this.entries.get(entryKey) !== held) return;
        this.entries.delete(entryKey);
        await held.connection.close();
        await held.outer?.release();
      },
    };
  }

  private async credentialsFor(hop: JumpHostHop): Promise<HopCredentials> {
    if (hop.auth.kind === 'agent') {
      const resolved = await this.agentFor(hop.auth);
      return { agent: resolved.agent, agentInUse: { label: resolved.label, unavailable: resolved.unavailable } };
    }
    const { keyPath } = hop.auth;
    const passphraseFor = this.options.passphraseFor;
    const key = await loadPrivateKeyFile(keyPath, passphraseFor ? { passphraseFor: () => passphraseFor(keyPath) } : {});
    return { privateKey: key.privateKey, clientKeyFingerprint: key.fingerprint };
  }
}

/** A TCP connection with Nagle off: SSH packets are small and latency is what users feel. */
function directSocket(hop: JumpHostHop, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: hop.host, port: hop.port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`connect to ${hop.host}:${hop.port} timed out`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', onError);
  });
}

/** A hop behind another one could not be asked because the outer hop refused or failed: said as such, with the outer hop's reason. */
function notReachedThrough(outer: JumpHostLease, hop: JumpHostHop, error: unknown): unknown {
  if (!(error instanceof JumpgateError)) return error;
  return new JumpgateError('JUMP_HOST_UNREACHABLE', `${hop.host}:${hop.port} was not reached: the hop before it, ${outer.connection.key}, failed (${error.code}: ${error.message.replace(/\.$/, '')})`, {
    ...(error.hint ? { hint: error.hint } : {}),
    cause: error,
  });
}

/** The outer hop is in, within the time a hop gets to answer (as throughOuter waits for it). */
async function outerReady(outer: JumpHostLease, hop: JumpHostHop, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no route to ${hop.host}:${hop.port} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
  });
  try {
    await Promise.race([outer.connection.whenReady(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The inner hop's SSH stream is a direct-tcpip channel of the outer hop's connection. */
async function throughOuter(outer: JumpHostLease, hop: JumpHostHop, timeoutMs: number): Promise<Duplex> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no route to ${hop.host}:${hop.port} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
  });
  try {
    await Promise.race([outer.connection.whenReady(), timeout]);
    return await Promise.race([outer.connection.forwardOut(hop.host, hop.port), timeout]);
  } catch (error) {
    const reason = (error as { reason?: number }).reason;
    if (reason !== undefined) {
      // The outer box is up but cannot open a connection to the inner one.
      throw Object.assign(new Error(`${outer.connection.key} could not reach ${hop.host}:${hop.port}`), { code: 'EHOSTUNREACH' });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
