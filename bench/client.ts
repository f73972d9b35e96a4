import { connect, type Socket } from 'node:net';
import { PatternVerifier, patternSlices } from './pattern';

/** Load-generator side of the benchmark protocol (see sourceSink.ts). */

function open(port: number): Socket {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  return socket;
}

/** Download `bytes` of the pattern; resolves with elapsed ms once all arrived and were checked. */
export function download(port: number, bytes: number, offset = 0): Promise<{ ms: number; intact: boolean }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const verifier = new PatternVerifier(offset);
    const socket = open(port);
    socket.once('connect', () => socket.write(`D ${bytes} ${offset}\n`));
    socket.on('data', (chunk: Buffer) => verifier.update(chunk));
    socket.once('end', () => {
      socket.destroy();
      resolve({ ms: performance.now() - started, intact: verifier.intact && verifier.received === bytes });
    });
    socket.once('error', reject);
  });
}

/** Upload `bytes` of the pattern; the far end checks them and answers K. */
export function upload(port: number, bytes: number): Promise<{ ms: number; intact: boolean }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = open(port);
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.once('end', () => {
      socket.destroy();
      resolve({ ms: performance.now() - started, intact: answer === 'K' });
    });
    socket.once('error', reject);
    socket.once('connect', async () => {
      socket.write(`U ${bytes}\n`);
      for (const slice of patternSlices(bytes)) {
        if (!socket.write(slice)) await new Promise((drained) => socket.once('drain', drained));
      }
    });
  });
}

/** A new connection, one request byte, one answer byte: ms from connect() to the first byte back. */
export function firstByte(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = open(port);
    socket.once('connect', () => socket.write('P\n'));
    socket.once('data', () => {
      resolve(performance.now() - started);
      socket.destroy();
    });
    socket.once('end', () => reject(Object.assign(new Error('closed without data'), { code: 'NODATA' })));
    socket.once('error', reject);
  });
}

const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'NODATA', 'EPIPE']);

/**
 * Keep trying until a byte comes back through `port`: how long until a tunnel
 * that is being set up (or re-established) actually passes data.
 */
export async function untilFirstByte(port: number, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      await firstByte(port);
      return performance.now();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!RETRYABLE.has(code) || performance.now() > deadline) throw error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** `count` downloads at once; aggregate MB/s over the wall time, and whether every byte was right. */
export async function parallelDownload(port: number, count: number, bytesEach: number): Promise<{ ms: number; intact: boolean }> {
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, (_, index) => download(port, bytesEach, index * 7919)));
  return { ms: performance.now() - started, intact: results.every((result) => result.intact) };
}
