/**
 * A slow link in user space, for the benchmark's latency rows (issue #14): the kernel on
 * these machines has no netem, so this process sits on 127.0.0.1 between a client and a
 * server and holds every byte for a one-way delay, after a rate cap, in each direction.
 * It runs in a process of its own (like the source/sink) so its work never shares an event
 * loop with a tunnel under test.
 *
 *   delayRelay <one-way delay ms> <rate Mbit/s> <target port>...
 *
 * listens on one port per target and answers { type: 'listening', ports } over IPC.
 * Each direction is a FIFO: a chunk leaves after the link has serialised everything before it
 * (the rate cap) plus the delay, and an EOF travels behind the last byte. When more than one
 * bandwidth-delay product plus a router-sized queue is in flight, the relay stops reading, so
 * the sender meets backpressure the way it would at a real bottleneck instead of filling memory.
 */
import { connect, createServer, type Socket } from 'node:net';

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
        this.to.write(chunk);
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

function relay(delayMs: number, bytesPerMs: number, targetPort: number): Promise<number> {
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true, noDelay: true });
    new DelayLine(client, upstream, delayMs, bytesPerMs);
    new DelayLine(upstream, client, delayMs, bytesPerMs);
    // Orderly ends travel through the delay lines; a reset (an error) takes both sides down at once.
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.once('error', teardown);
    upstream.once('error', teardown);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

const [delayArg, rateArg, ...targets] = process.argv.slice(2);
const delayMs = Number(delayArg);
const rateMbit = Number(rateArg);
if (!(delayMs >= 0) || !(rateMbit > 0) || targets.length === 0) throw new Error('usage: delayRelay <one-way delay ms> <rate Mbit/s> <target port>...');
const bytesPerMs = (rateMbit * 1e6) / 8 / 1000;
void Promise.all(targets.map((port) => relay(delayMs, bytesPerMs, Number(port)))).then((ports) => process.send?.({ type: 'listening', ports }));
process.on('disconnect', () => process.exit(0));
