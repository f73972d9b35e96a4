import type { Server, Socket } from 'node:net';
import { JumpgateError, toErrorInfo, type ErrorInfo } from '../../../shared/model/errors';
import type { JumpHost } from '../../../shared/model/jumpHost';
import { jumpHostKey } from '../../../shared/model/jumpHostKey';
import type { TunnelEndpoint, TunnelState } from '../../../shared/model/tunnelState';
import type { JumpHostConnection, JumpHostConnectionState } from '../ssh/jumpHostConnection';
import type { ConnectionTuning, JumpHostLease, JumpHostPool } from '../ssh/jumpHostPool';
import { joinSocketAndChannel } from './forwarding';
import { closeListener, listenLocal, LOOPBACK } from './localListener';

/** What to forward: saved config, resolved to concrete addresses. */
export interface TunnelSpec {
  id: string;
  jumpHost: JumpHost;
  /** The endpoint as the jump box sees it, e.g. an RDS endpoint. */
  remoteHost: string;
  remotePort: number;
  localPort: number;
  /** Keepalive and reconnect settings from the profile. */
  tuning?: ConnectionTuning;
}

export interface TunnelOptions {
  pool: JumpHostPool;
  now: () => number;
  /** How long a client that connects during a reconnect is held before it is closed. */
  holdTimeoutMs: number;
  /**
   * Open one channel to the endpoint at start so a wrong endpoint or a database
   * security group that blocks the jump box is reported as ENDPOINT_UNREACHABLE
   * up front, instead of as a mysterious client disconnect later.
   */
  verifyEndpoint: boolean;
  onState: (state: TunnelState) => void;
}

type Phase = 'new' | 'starting' | 'running' | 'ending' | 'ended';

/**
 * One local port forwarded through a pooled jump host connection. The listener
 * stays bound across jump host reconnects, so the port is never taken by another
 * process and clients come back on the same address.
 */
export class Tunnel {
  private phase: Phase = 'new';
  private current: TunnelState = { status: 'idle' };
  private server: Server | undefined;
  private lease: JumpHostLease | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly counters = { bytesIn: 0, bytesOut: 0 };
  private totalConnections = 0;
  private openedAt = 0;
  /** When the last client left (or the tunnel opened with none). */
  private idleSince = 0;
  private lastForwardError: ErrorInfo | undefined;
  private readonly openWaiters = new Set<(open: boolean) => void>();
  /**
   * Logged in while starting: clients held since the start go through now, their channels
   * opened alongside the endpoint check rather than a round trip after it (issue #14: the
   * first byte of a tunnel started with its client waiting, as `jumpgate exec` and a database
   * tool started together do). A failed check still fails the tunnel and closes them.
   */
  private loggedInWhileStarting = false;

  constructor(
    readonly spec: TunnelSpec,
    private readonly options: TunnelOptions,
  ) {}

  get endpoint(): TunnelEndpoint {
    const { via, ...hop } = this.spec.jumpHost;
    return {
      localHost: LOOPBACK,
      localPort: this.spec.localPort,
      remoteHost: this.spec.remoteHost,
      remotePort: this.spec.remotePort,
      jumpHost: jumpHostKey(hop, via),
    };
  }

  /** The state with counters as of now. */
  get state(): TunnelState {
    const live = {
      bytesIn: this.counters.bytesIn,
      bytesOut: this.counters.bytesOut,
      activeConnections: this.sockets.size,
      totalConnections: this.totalConnections,
    };
    if (this.current.status === 'open') {
      return {
        ...this.current,
        ...live,
        ...(this.lastForwardError ? { lastForwardError: this.lastForwardError } : {}),
        ...(this.sockets.size === 0 ? { idleSince: Math.max(this.idleSince, this.openedAt) } : {}),
      };
    }
    if (this.current.status === 'reconnecting') return { ...this.current, ...live };
    return this.current;
  }

  get active(): boolean {
    return this.phase === 'starting' || this.phase === 'running';
  }

  /** Bind, connect (or join) the jump host, check the endpoint; resolves when open. */
  async start(): Promise<void> {
    if (this.phase !== 'new') throw new Error('a tunnel starts once');
    this.phase = 'starting';
    try {
      // Bind first: a taken port is the cheapest failure and needs no network.
      // From here on the port is ours, and clients that arrive early are held.
      this.server = await listenLocal(this.spec.localPort, (socket) => this.accept(socket));
      this.setState({ status: 'connecting', localPort: this.spec.localPort, since: this.options.now() });
      this.lease = this.options.pool.acquire(this.spec.jumpHost, this.spec.tuning);
      const connection = this.lease.connection;
      await connection.whenReady();
      this.releaseHeldClients();
      if (this.options.verifyEndpoint) await this.probeEndpoint(connection);
    } catch (error) {
      await this.end({ status: 'failed', error: toErrorInfo(error), failedAt: this.options.now() });
      throw error;
    }
    if (this.phase !== 'starting') throw new JumpgateError('TUNNEL_NOT_FOUND', 'The tunnel was stopped while it was starting.');
    this.phase = 'running';
    this.unsubscribe = this.lease.connection.onState((state) => this.onJumpHostState(state));
    this.onJumpHostState(this.lease.connection.state);
  }

  async stop(): Promise<void> {
    if (this.phase === 'ended' || this.phase === 'ending') return;
    await this.end({ status: 'stopped', stoppedAt: this.options.now() });
  }

  private releaseHeldClients(): void {
    this.loggedInWhileStarting = true;
    for (const resolve of this.openWaiters) resolve(true);
    this.openWaiters.clear();
  }

  /** Whether a client may have its channel opened now: the tunnel is open, or it is starting and has logged in. */
  private get forwarding(): boolean {
    return this.phase === 'running' || (this.phase === 'starting' && this.loggedInWhileStarting);
  }

  private setState(state: TunnelState): void {
    this.current = state;
    const settled = state.status === 'open' ? true : this.phase === 'ended' ? false : undefined;
    if (settled !== undefined) {
      for (const resolve of this.openWaiters) resolve(settled);
      this.openWaiters.clear();
    }
    this.options.onState(this.state);
  }

  private onJumpHostState(state: JumpHostConnectionState): void {
    if (this.phase !== 'running') return;
    switch (state.status) {
      case 'ready':
        this.openedAt = this.options.now();
        this.setState({ status: 'open', localPort: this.spec.localPort, openedAt: this.openedAt, ...this.zeroCounters() });
        return;
      case 'reconnecting':
        this.setState({
          status: 'reconnecting',
          localPort: this.spec.localPort,
          attempt: state.attempt,
          nextRetryAt: state.nextRetryAt,
          lastError: toErrorInfo(state.lastError),
          ...this.zeroCounters(),
        });
        return;
      case 'failed':
        void this.end({ status: 'failed', error: toErrorInfo(state.error), failedAt: this.options.now() });
        return;
      case 'connecting':
      case 'closed':
        return;
    }
  }

  /** Placeholder counters: `state` fills in the live values when read. */
  private zeroCounters(): { bytesIn: number; bytesOut: number; activeConnections: number; totalConnections: number } {
    return { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 };
  }

  private async probeEndpoint(connection: JumpHostConnection): Promise<void> {
    try {
      const channel = await connection.forwardOut(this.spec.remoteHost, this.spec.remotePort);
      channel.destroy();
    } catch (error) {
      throw this.endpointError(error);
    }
  }

  private endpointError(error: unknown): JumpgateError {
    if (error instanceof JumpgateError) return error;
    const { remoteHost, remotePort } = this.spec;
    const reason = error instanceof Error ? error.message.replace(/^\(SSH\) /, '') : String(error);
    return new JumpgateError(
      'ENDPOINT_UNREACHABLE',
      `The jump box ${this.endpoint.jumpHost} was reached, but it could not connect to ${remoteHost}:${remotePort} (${reason}).`,
      {
        hint: `The jump box is fine; the database endpoint is not reachable from it. Check the endpoint address and port, that the database is running, and that its security group allows the jump box on port ${remotePort}.`,
        cause: error,
      },
    );
  }

  private accept(socket: Socket): void {
    if (this.phase !== 'running' && this.phase !== 'starting') {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.sockets.add(socket);
    this.totalConnections += 1;
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (this.sockets.size === 0) this.idleSince = this.options.now();
    });
    // Until the channel exists, a client error must not crash the process.
    socket.on('error', () => socket.destroy());
    const connection = this.lease?.connection;
    if (this.forwarding && connection?.state.status === 'ready') {
      void this.forward(socket, connection);
      return;
    }
    void this.hold(socket);
  }

  /** Skip the rest of the reconnect backoff: the user asked to retry now. */
  retryNow(): void {
    this.lease?.connection.retryNow();
  }

  /**
   * Keep a client that arrives while the tunnel is starting or reconnecting, and
   * forward it once the tunnel is open: a database client started together with
   * the tunnel, or retrying during a blip, gets through instead of a refusal.
   * A waiting client does not bring the next attempt forward: a pool of clients
   * retrying every second turned a 10 s outage into 57 attempts, the storm a jump
   * box's MaxStartups or fail2ban answers by locking everyone out (issue #17). The
   * backoff stands; the user's "Retry now" and a wake from sleep still skip it.
   */
  private async hold(socket: Socket): Promise<void> {
    socket.pause();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.holdTimeoutMs);
    });
    const open = await Promise.race([this.whenOpen(), timedOut]);
    clearTimeout(timer);
    const connection = this.lease?.connection;
    if (open && connection && !socket.destroyed && this.forwarding) {
      await this.forward(socket, connection);
      return;
    }
    socket.destroy();
  }

  /** Resolves true when the tunnel is open (or starting and logged in), false if it ends first. */
  private whenOpen(): Promise<boolean> {
    if (this.current.status === 'open' || (this.phase === 'starting' && this.loggedInWhileStarting)) return Promise.resolve(true);
    if (this.phase === 'ending' || this.phase === 'ended') return Promise.resolve(false);
    return new Promise((resolve) => this.openWaiters.add(resolve));
  }

  private async forward(socket: Socket, connection: JumpHostConnection): Promise<void> {
    let forwarded;
    try {
      forwarded = await connection.forwardTunnel(this.spec.remoteHost, this.spec.remotePort, LOOPBACK, socket.remotePort ?? 0);
    } catch (error) {
      socket.destroy();
      if (this.current.status === 'open') {
        this.lastForwardError = toErrorInfo(this.endpointError(error));
        this.setState(this.current);
      }
      return;
    }
    const { channel, window } = forwarded;
    if (socket.destroyed || !this.forwarding) {
      window?.dispose();
      channel.destroy();
      socket.destroy();
      return;
    }
    this.lastForwardError = undefined;
    await joinSocketAndChannel(socket, channel, this.counters, window);
  }

  /** Leave for good: close clients and the listener (port free), release the jump host. */
  private async end(final: TunnelState): Promise<void> {
    if (this.phase === 'ending' || this.phase === 'ended') return;
    this.phase = 'ending';
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    const lease = this.lease;
    this.lease = undefined;
    await Promise.all([server ? closeListener(server) : undefined, lease?.release()]);
    this.phase = 'ended';
    this.setState(final);
  }
}
