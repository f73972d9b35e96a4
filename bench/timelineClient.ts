/**
 * The client side of bench/timeline.ts, in a process of its own so its reading never shares an
 * event loop with the engine: one download per request, answered with the bytes that arrived in
 * each slice of time from the connect on.
 */
import { connect } from 'node:net';

export interface TimelineRequest {
  port: number;
  bytes: number;
  binMs: number;
}

export interface TimelineReply {
  ms: number;
  received: number;
  /** Bytes that arrived in each `binMs` from the connect. */
  bins: number[];
}

process.on('message', ({ port, bytes, binMs }: TimelineRequest) => {
  const started = performance.now();
  const bins: number[] = [];
  let received = 0;
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  socket.once('connect', () => socket.write(`D ${bytes} 0\n`));
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    const bin = Math.floor((performance.now() - started) / binMs);
    bins[bin] = (bins[bin] ?? 0) + chunk.length;
  });
  socket.once('end', () => {
    socket.destroy();
    const reply: TimelineReply = { ms: performance.now() - started, received, bins: Array.from(bins, (bytes) => bytes ?? 0) };
    process.send?.(reply);
  });
  socket.once('error', (error) => {
    console.error(error);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
