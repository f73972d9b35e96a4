import type { Duplex } from 'node:stream';
import type { BaseAgent, ClientChannel, ConnectConfig } from 'ssh2';
import { JumpgateError } from '../../../shared/model/errors';
import type { JumpHostHop } from '../../../shared/model/jumpHost';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { hostKeyFromBlob, judgeHostKey, type HostKey, type HostKeyVerdict, type KnownHostsStore } from './knownHosts';
import { pipelineLogin } from './loginPipelining';
import { legacyHostKeyError, legacyUserKeyError, LEGACY_RSA, loginPlan, sendKeysAsPlanned, offeredAlgorithms, type AlgorithmPolicy } from './sshAlgorithms';
import { OPEN_FLOOR, ReceiveWindow, type WindowBudget } from './receiveWindow';
import { forwardOutOwningWindow } from './ssh2ChannelWindow';
import { Client } from './ssh2Parts';
import { classifyConnectError, isTransient, type AttemptContext } from './sshErrors';

/** How long a closing connection waits for the jump box to acknowledge before its socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

export type JumpHostConnectionState =
  | { status: 'connecting' }
  | { status: 'ready'; since: number }
  | { status: 'reconnecting'; attempt: number; nextRetryAt: number; lastError: JumpgateError }
  | { status: 'failed'; error: JumpgateError }
  | { status: 'closed' };

/** What proves the user's identity; resolved once and kept in memory for reconnects. */
export interface HopCredentials {
  privateKey?: Buffer;
  /** An agent's socket or pipe path, or an agent object (Pageant). */
  agent?: string | BaseAgent;
  /** The agent in words and its AGENT_UNAVAILABLE, for errors during the handshake. */
  agentInUse?: AttemptContext['agent'];
  clientKeyFingerprint?: string;
}

export interface KeepalivePolicy {
  intervalMs: number;
  countMax: number;
}

export interface JumpHostConnectionOptions {
  key: string;
  hop: JumpHostHop;
  knownHosts: KnownHostsStore;
  credentials: () => Promise<HopCredentials>;
  /** A byte stream to the jump host's SSH port: a TCP socket, or a channel through an outer hop. */
  openSocket: (timeoutMs: number) => Promise<Duplex>;
  keepalive: KeepalivePolicy;
  readyTimeoutMs: number;
  backoff: BackoffPolicy;
  /** Which legacy algorithms this connection may use (the profile's opt-in). */
  algorithms: AlgorithmPolicy;
  now: () => number;
  random: () => number;
  /** Where tunnel channels' receive windows come from: one budget for the whole process. */
  windowBudget: WindowBudget;
}

/** A tunnel's channel and the receive window that grows with the link (undefined where ssh2 keeps its own). */
export interface ForwardedChannel {
  channel: ClientChannel;
  window: ReceiveWindow | undefined;
}

/** What a jump host presents now, judged against known_hosts as a connection would judge it. */
export interface HostKeyProbe {
  key: HostKey;
  verdict: HostKeyVerdict;
  pinned: HostKey[];
  revoked: HostKey[];
}

/**
 * The host key a jump host presents now: an SSH handshake that stops at the host key, so it
 * needs no login and no credentials, offering the algorithms a connection offers (the pinned
 * type first, so a trusted box presents the key that was pinned) and judged as a connection
 * judges it. A box that cannot be reached fails with the connection's coded error.
 */
export async function probeHostKey(
  options: Pick<JumpHostConnectionOptions, 'hop' | 'knownHosts' | 'openSocket' | 'readyTimeoutMs'> & { algorithms?: AlgorithmPolicy },
): Promise<HostKeyProbe> {
  const { hop, knownHosts, readyTimeoutMs } = options;
  const context: AttemptContext = { host: hop.host, port: hop.port, user: hop.user, readyTimeoutMs, knownHostsPath: knownHosts.path };
  const { pinned, revoked } = await knownHosts.knownFor(hop.host, hop.port);
  let socket: Duplex;
  try {
    socket = await options.openSocket(readyTimeoutMs);
  } catch (error) {
    throw classifyConnectError(error, context);
  }
  return new Promise<HostKeyProbe>((resolve, reject) => {
    const client = new Client();
    let presented: HostKeyProbe | undefined;
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      client.end();
      socket.destroy();
      if (presented) {
        resolve(presented);
        return;
      }
      const cause = error ?? new Error('the jump box closed the connection before it presented a host key');
      // A box that speaks only ssh-rsa is named as such, as a connection would name it.
      const legacy = !options.algorithms?.allowSshRsaSha1 && cause instanceof Error && NO_COMMON_HOST_KEY.test(cause.message);
      void (legacy ? presentsSshRsa(options.openSocket, readyTimeoutMs) : Promise.resolve(false)).then((onlySshRsa) =>
        reject(onlySshRsa ? legacyHostKeyError(hop.host, hop.port, cause) : classifyConnectError(cause, context)),
      );
    };
    client.on('error', (error) => finish(error));
    client.once('close', () => finish());
    client.once('ready', () => finish());
    client.connect({
      sock: socket as ConnectConfig['sock'],
      username: hop.user,
      readyTimeout: readyTimeoutMs,
      algorithms: offeredAlgorithms(pinnedTypes(pinned), options.algorithms ?? { allowSshRsaSha1: false }),
      // Refusing every key ends the handshake here: the key is all the probe wanted.
      hostVerifier: (blob: Buffer) => {
        const key = hostKeyFromBlob(Buffer.from(blob));
        presented = { key, verdict: judgeHostKey(pinned, key, revoked), pinned, revoked };
        return false;
      },
    });
  });
}

function pinnedTypes(pinned: readonly HostKey[]): string[] {
  return pinned.map((key) => key.type);
}

/**
 * Whether a jump box that agreed on no host-key algorithm with us would have presented an
 * `ssh-rsa` key: a second handshake offering only that, stopped at the host key (nothing is
 * trusted or signed), so the failure can name the algorithm instead of "no matching format".
 */
function presentsSshRsa(openSocket: JumpHostConnectionOptions['openSocket'], readyTimeoutMs: number): Promise<boolean> {
  return openSocket(readyTimeoutMs).then(
    (socket) =>
      new Promise<boolean>((resolve) => {
        const client = new Client();
        let presented = false;
        const finish = (): void => {
          client.end();
          socket.destroy();
          resolve(presented);
        };
        client.on('error', finish);
        client.once('close', finish);
        client.once('ready', finish);
        client.connect({
          sock: socket as ConnectConfig['sock'],
          username: 'jumpgate-probe',
          readyTimeout: readyTimeoutMs,
          algorithms: { serverHostKey: [LEGACY_RSA] as never },
          hostVerifier: () => {
            presented = true;
            return false;
          },
        });
      }),
    () => false,
  );
}

/** ssh2's words when the two sides share no host-key algorithm. */
const NO_COMMON_HOST_KEY = /no matching host key format/i;

/**
 * One SSH connection to one jump host, shared by every tunnel through it.
 * It owns its reconnect loop: after it has been ready once, a dropped or silent
 * connection is retried with capped, jittered backoff until closed; a first
 * connect that fails, or any host key / auth failure, ends in `failed`.
 */
export class JumpHostConnection {
  private current: JumpHostConnectionState = { status: 'connecting' };
  private readonly listeners = new Set<(state: JumpHostConnectionState) => void>();
  private client: Client | undefined;
  /**
   * The quickest channel open seen on the current SSH connection, in ms: the round trip a tunnel
   * channel's receive window grows against (receiveWindow.ts). One open's own time can be inflated
   * (the jump box or this process busy, a slow connect to the target), and a window judged against
   * an inflated round trip grows where it never limits: on loopback a probe saw windows of 12 MiB
   * after such opens, then the 200 ms stalls of a loopback TCP leg kept full. Reset with each connection.
   */
  private fastestOpenMs = Number.POSITIVE_INFINITY;
  private closed = false;
  private wake: (() => void) | undefined;
  private abortAttempt: (() => void) | undefined;
  private readonly loop: Promise<void>;
  private credentials: HopCredentials | undefined;

  constructor(private readonly options: JumpHostConnectionOptions) {
    this.loop = this.run();
  }

  get key(): string {
    return this.options.key;
  }

  get state(): JumpHostConnectionState {
    return this.current;
  }

  /** Subscribe to state changes; returns the unsubscribe function. */
  onState(listener: (state: JumpHostConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when ready; rejects with the error if the connection fails or is closed first. */
  whenReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (state: JumpHostConnectionState): boolean => {
        if (state.status === 'ready') resolve();
        else if (state.status === 'failed') reject(state.error);
        else if (state.status === 'closed')
          reject(new JumpgateError('JUMP_HOST_LOST', `The connection to ${this.key} was closed.`));
        else return false;
        return true;
      };
      if (check(this.current)) return;
      const unsubscribe = this.onState((state) => {
        if (check(state)) unsubscribe();
      });
    });
  }

  /** Skip the rest of the current backoff wait (the user asked to retry, or the machine woke up). */
  retryNow(): void {
    this.wake?.();
  }

  /** Open a direct-tcpip channel to host:port as seen from the jump box. */
  forwardOut(host: string, port: number, sourceHost = '127.0.0.1', sourcePort = 0): Promise<ClientChannel> {
    const client = this.client;
    if (!client || this.current.status !== 'ready') {
      return Promise.reject(new JumpgateError('JUMP_HOST_LOST', `The jump box ${this.key} is not connected.`));
    }
    const sent = performance.now();
    return new Promise((resolve, reject) => {
      client.forwardOut(sourceHost, sourcePort, host, port, (error, channel) => {
        if (error) {
          reject(error);
          return;
        }
        // The endpoint check opens one of these before any tunnel channel: the first round-trip sample.
        this.roundTripAfterOpen(client, performance.now() - sent);
        resolve(channel);
      });
    });
  }

  /**
   * Open a direct-tcpip channel for a tunnel's client: its receive window starts where ssh2's
   * does (as much of it as the process budget has free) and grows with the link once the
   * window is attached to the client's socket (see receiveWindow.ts).
   */
  forwardTunnel(host: string, port: number, sourceHost: string, sourcePort: number): Promise<ForwardedChannel> {
    const client = this.client;
    if (!client || this.current.status !== 'ready') {
      return Promise.reject(new JumpgateError('JUMP_HOST_LOST', `The jump box ${this.key} is not connected.`));
    }
    const budget = this.options.windowBudget;
    // ssh2's window while the budget has room for it; once it runs short, this channel's part
    // (never less than two packets: see OPEN_FLOOR).
    const { initial: stock } = budget.limits;
    const initial = budget.take(budget.free >= stock ? stock : Math.min(stock, budget.fairShare(budget.windows.size + 1)), OPEN_FLOOR);
    return new Promise((resolve, reject) => {
      forwardOutOwningWindow(client, initial, { host: sourceHost, port: sourcePort }, { host, port }, (error, opened) => {
        if (error || !opened) {
          budget.give(initial);
          reject(error ?? new Error('no channel'));
          return;
        }
        if (!opened.credit) {
          budget.give(initial);
          resolve({ channel: opened.channel, window: undefined });
          return;
        }
        const roundTripMs = this.roundTripAfterOpen(client, opened.openMs);
        resolve({ channel: opened.channel, window: new ReceiveWindow(opened.channel, opened.credit, budget, initial, roundTripMs) });
      });
    });
  }

  /** Count a channel open of `client` as a round-trip sample of the current connection; the estimate now (the quickest open, this one's included). */
  private roundTripAfterOpen(client: Client, openMs: number): number {
    if (client === this.client) this.fastestOpenMs = Math.min(this.fastestOpenMs, openMs);
    return Math.min(openMs, this.fastestOpenMs);
  }

  /** Open an interactive shell (with a pseudo-terminal) on the jump box, over this same connection. */
  shell(size: { cols: number; rows: number; term?: string }): Promise<ClientChannel> {
    const client = this.client;
    if (!client || this.current.status !== 'ready') {
      return Promise.reject(new JumpgateError('JUMP_HOST_LOST', `The jump box ${this.key} is not connected.`));
    }
    return new Promise((resolve, reject) => {
      client.shell({ term: size.term ?? 'xterm-256color', cols: size.cols, rows: size.rows }, (error, channel) => (error ? reject(error) : resolve(channel)));
    });
  }

  /** Each client's socket (a TCP socket, or a channel of the outer hop), for a close that must not wait on the jump box. */
  private readonly sockets = new WeakMap<Client, { destroy(): void }>();

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.abortAttempt?.();
    const client = this.client;
    client?.end();
    // A polite close needs the jump box to answer; a frozen one (or a dead network) never does,
    // and the socket would wait in FIN-WAIT-2 for minutes with Quit or Ctrl-C hanging behind it.
    // (ssh2's own destroy() does nothing once end() has half-closed the socket, so the socket itself goes.)
    const socket = client ? this.sockets.get(client) : undefined;
    const force = socket ? setTimeout(() => socket.destroy(), CLOSE_GRACE_MS) : undefined;
    try {
      await this.loop;
    } finally {
      clearTimeout(force);
    }
  }

  private setState(state: JumpHostConnectionState): void {
    this.current = state;
    for (const listener of [...this.listeners]) listener(state);
  }

  private async run(): Promise<void> {
    let everReady = false;
    let attempt = 0;
    while (!this.closed) {
      let client: Client;
      try {
        client = await this.connectOnce();
      } catch (caught) {
        if (this.closed) break;
        const error = caught instanceof JumpgateError ? caught : classifyConnectError(caught, this.context());
        if (!everReady || !isTransient(error)) {
          this.setState({ status: 'failed', error });
          return;
        }
        attempt += 1;
        const delay = backoffDelay(this.options.backoff, attempt, this.options.random);
        this.setState({ status: 'reconnecting', attempt: attempt + 1, nextRetryAt: this.options.now() + delay, lastError: error });
        await this.sleep(delay);
        continue;
      }
      if (this.closed) {
        client.end();
        break;
      }
      everReady = true;
      attempt = 0;
      this.client = client;
      this.fastestOpenMs = Number.POSITIVE_INFINITY;
      this.setState({ status: 'ready', since: this.options.now() });
      const lost = await this.untilDropped(client);
      this.client = undefined;
      if (this.closed) break;
      // The first retry is immediate: most drops are a blip and the user is waiting.
      this.setState({ status: 'reconnecting', attempt: 1, nextRetryAt: this.options.now(), lastError: lost });
    }
    this.setState({ status: 'closed' });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = (): void => done();
      this.wake = wake;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private context(hostKey?: AttemptContext['hostKey']): AttemptContext {
    const { hop, readyTimeoutMs } = this.options;
    return {
      host: hop.host,
      port: hop.port,
      user: hop.user,
      readyTimeoutMs,
      knownHostsPath: this.options.knownHosts.path,
      ...(hostKey ? { hostKey } : {}),
      ...(this.credentials?.clientKeyFingerprint ? { clientKeyFingerprint: this.credentials.clientKeyFingerprint } : {}),
      ...(this.credentials?.agentInUse ? { agent: this.credentials.agentInUse } : {}),
    };
  }

  private async connectOnce(): Promise<Client> {
    const { hop, knownHosts, keepalive, readyTimeoutMs } = this.options;
    this.credentials ??= await this.options.credentials();
    const credentials = this.credentials;
    const { pinned, revoked } = await knownHosts.knownFor(hop.host, hop.port);
    const socket = await this.options.openSocket(readyTimeoutMs);
    let hostKey: AttemptContext['hostKey'];
    const login = loginPlan(hop.user, credentials, this.options.algorithms);

    return new Promise<Client>((resolve, reject) => {
      const client = new Client();
      this.sockets.set(client, socket);
      let settled = false;
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        this.abortAttempt = undefined;
        client.removeListener('ready', onReady);
        client.removeListener('close', onClose);
        if (error === undefined) {
          resolve(client);
          return;
        }
        client.end();
        socket.destroy();
        this.explain(error, hostKey, login.wantsSha1UserKey()).then(reject, reject);
      };
      const onReady = (): void => finish();
      const onClose = (): void => finish(new Error('the jump box closed the connection during the handshake'));
      // Keep one error listener for the client's whole life: ssh2 emits 'error' before 'close'.
      client.on('error', (error) => finish(error));
      client.once('ready', onReady);
      client.once('close', onClose);
      this.abortAttempt = () => finish(new JumpgateError('JUMP_HOST_LOST', `The connection to ${this.key} was closed.`));

      const config: ConnectConfig = {
        sock: socket as ConnectConfig['sock'],
        username: hop.user,
        readyTimeout: readyTimeoutMs,
        keepaliveInterval: keepalive.intervalMs,
        keepaliveCountMax: keepalive.countMax,
        algorithms: offeredAlgorithms(pinnedTypes(pinned), this.options.algorithms),
        // ssh2 trusts any host key unless told otherwise: this is the check.
        hostVerifier: (blob: Buffer) => {
          const key = hostKeyFromBlob(Buffer.from(blob));
          hostKey = { key, verdict: judgeHostKey(pinned, key, revoked), pinned };
          return hostKey.verdict === 'trusted';
        },
        // The login order is Jumpgate's, not ssh2's: it decides which signature an RSA key makes.
        authHandler: login.attempts,
      };
      client.connect(config);
      sendKeysAsPlanned(client);
      pipelineLogin(client);
    });
  }

  /**
   * The coded error for a failed attempt. A jump box that speaks only SHA-1 `ssh-rsa` (for its
   * host key, or for the user's RSA key) gets SSH_ALGORITHM_LEGACY naming it, not a bare
   * handshake or login failure.
   */
  private async explain(error: unknown, hostKey: AttemptContext['hostKey'], wantsSha1UserKey: boolean): Promise<JumpgateError> {
    const { hop, readyTimeoutMs } = this.options;
    if (wantsSha1UserKey) return legacyUserKeyError(hop.host, hop.port, hop.user, error);
    const message = error instanceof Error ? error.message : '';
    if (!hostKey && !this.options.algorithms.allowSshRsaSha1 && NO_COMMON_HOST_KEY.test(message) && (await presentsSshRsa(this.options.openSocket, readyTimeoutMs))) {
      return legacyHostKeyError(hop.host, hop.port, error);
    }
    return classifyConnectError(error, this.context(hostKey));
  }

  /** Resolves with the reason once an established connection drops. */
  private untilDropped(client: Client): Promise<JumpgateError> {
    return new Promise((resolve) => {
      let lastError: (Error & { level?: string }) | undefined;
      client.on('error', (error: Error & { level?: string }) => {
        lastError = error;
      });
      client.once('close', () => {
        const where = `${this.options.hop.host}:${this.options.hop.port}`;
        const silent = lastError?.message === 'Keepalive timeout';
        resolve(
          new JumpgateError(
            'JUMP_HOST_LOST',
            silent
              ? `The jump box at ${where} stopped answering (no reply to ${this.options.keepalive.countMax} keepalives).`
              : `The connection to the jump box at ${where} was closed${lastError ? `: ${lastError.message}` : ''}.`,
            { hint: 'Jumpgate is reconnecting on its own; your local ports stay reserved.' },
          ),
        );
      });
    });
  }
}
