/**
 * A slow link in user space (issue #14): the kernel on these machines has no netem, so a
 * listener on 127.0.0.1 sits between a client and a server and holds every byte for a one-way
 * delay, after a rate cap, in each direction. The benchmark runs it in a process of its own
 * (bench/delayRelay.ts) so its work never shares an event loop with a tunnel being measured;
 * a test that only needs a real round trip (a window that must grow) runs it in its own process.
 *
 * Each direction is a FIFO: a chunk leaves after the link has serialised everything before it
 * (the rate cap) plus the delay, and an EOF travels behind the last byte. When more than one
 * bandwidth-delay product plus a router-sized queue is in flight, the link stops reading, so
 * the sender meets backpressure the way it would at a real bottleneck instead of filling memory.
 */
import { connect, createServer, type Socket } from 'node:net';
import { closeServer, listenOnLoopback } from './tcpPeers';

/** Queue a bottleneck router holds beyond the bytes on the wire. */
const QUEUE_BYTES = 2 * 1024 * 1024;

interface InFlight {
  at: number;
  chunk: Buffer | null;
}

/** One direction of the link: bytes read from `from`, written to `to` once they have crossed it. */
class DelayLine {
  private readonly queue: InFlight[] = [];
  private head = 0;
  private inFlight = 0;
  private wireFreeAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly limit: number;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly delayMs: number,
    private readonly bytesPerMs: number,
  ) {
    this.limit = bytesPerMs * delayMs + QUEUE_BYTES;
    from.on('data', (chunk: Buffer) => this.take(chunk));
    from.once('end', () => this.take(null));
    to.on('drain', () => this.throttle());
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private take(chunk: Buffer | null): void {
    const now = performance.now();
    const length = chunk?.length ?? 0;
    this.wireFreeAt = Math.max(now, this.wireFreeAt) + length / this.bytesPerMs;
    this.queue.push({ at: this.wireFreeAt + this.delayMs, chunk });
    this.inFlight += length;
    this.throttle();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.head >= this.queue.length) return;
    const next = this.queue[this.head] as InFlight;
    this.timer = setTimeout(() => this.release(), Math.max(0, next.at - performance.now()));
  }

  private release(): void {
    this.timer = undefined;
    // Timers fire at millisecond granularity: let out what is due within the next half millisecond.
    const due = performance.now() + 0.5;
    while (this.head < this.queue.length && (this.queue[this.head] as InFlight).at <= due) {
      const { chunk } = this.queue[this.head] as InFlight;
      this.head += 1;
      if (chunk === null) this.to.end();
      else {
        this.inFlight -= chunk.length;
        if (!this.to.destroyed) this.to.write(chunk);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.throttle();
    this.schedule();
  }

  /** Stop reading while the link (and what the receiver has not taken) holds more than it can. */
  private throttle(): void {
    const held = this.inFlight + this.to.writableLength;
    if (held > this.limit) this.from.pause();
    else if (this.from.isPaused()) this.from.resume();
  }
}

export interface DelayLinkOptions {
  /** Added to every byte in each direction: the round trip is twice this. */
  oneWayDelayMs: number;
  /** The link's rate in each direction. */
  rateMbit: number;
  targetPort: number;
}

export interface DelayLink {
  /** Where to connect on 127.0.0.1 to reach the target across the link. */
  port: number;
  /** Stop listening and cut every connection across the link. */
  close(): Promise<void>;
}

export function startDelayLink({ oneWayDelayMs, rateMbit, targetPort }: DelayLinkOptions): Promise<DelayLink> {
  if (!(oneWayDelayMs >= 0) || !(rateMbit > 0)) throw new RangeError(`a link needs a delay >= 0 and a rate > 0 (got ${oneWayDelayMs} ms, ${rateMbit} Mbit/s)`);
  const bytesPerMs = (rateMbit * 1e6) / 8 / 1000;
  const sockets = new Set<Socket>();
  const lines = new Set<DelayLine>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true, noDelay: true });
    track(client);
    track(upstream);
    const lineUp = new DelayLine(client, upstream, oneWayDelayMs, bytesPerMs);
    const lineDown = new DelayLine(upstream, client, oneWayDelayMs, bytesPerMs);
    lines.add(lineUp).add(lineDown);
    // Orderly ends travel through the delay lines; a reset (an error) takes both sides down at once.
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.once('error', teardown);
    upstream.once('error', teardown);
    client.once('close', () => {
      lineUp.stop();
      lineDown.stop();
      lines.delete(lineUp);
      lines.delete(lineDown);
    });
  });
  return listenOnLoopback(server).then((port) => ({
    port,
    close: () => {
      for (const line of lines) line.stop();
      return closeServer(server, sockets);
    },
  }));
}
