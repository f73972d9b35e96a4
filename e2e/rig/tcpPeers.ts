import { createHash } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { pickPort } from './daemon';

/** A TCP server on 127.0.0.1 that stands in for a database endpoint behind the jump box. */
export interface TcpPeer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Bytes received so far. */
  readonly bytesReceived: number;
  close(): Promise<void>;
}

function startTcpPeer(handler: (socket: Socket) => void): Promise<TcpPeer> {
  let connections = 0;
  let bytesReceived = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      bytesReceived += chunk.length;
    });
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
    handler(socket);
  });
  return listenOnLoopback(server).then((port) => ({
    port,
    get connections() {
      return connections;
    },
    get bytesReceived() {
      return bytesReceived;
    },
    close: () => closeServer(server, sockets),
  }));
}

/** Listen on a port of 127.0.0.1 the system picks; resolves with the port. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

/** Cut every connection still open, then stop listening. */
export function closeServer(server: Server, sockets: Iterable<Socket>): Promise<void> {
  return new Promise((done) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => done());
  });
}

/** Echoes every byte back and half-closes when the client does. */
export function startEchoServer(): Promise<TcpPeer> {
  return startTcpPeer((socket) => socket.pipe(socket));
}

/**
 * A download: each connection gets `totalBytes` of a known pattern (paced by the reader, as a
 * database sends a dump) and then an orderly end. A reader that got fewer bytes was cut short.
 */
export function startSourceServer(totalBytes: number): Promise<TcpPeer> {
  const block = Buffer.alloc(64 * 1024, 0x5a);
  return startTcpPeer((socket) => {
    let left = totalBytes;
    const pump = (): void => {
      while (left > 0) {
        const chunk = block.subarray(0, Math.min(block.length, left));
        left -= chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
}

/**
 * Bytes that differ along the stream (a dropped, repeated or swapped chunk changes the digest): a
 * fixed 1 MiB block of SHA-256 output, repeated, read from `offset` on.
 */
const PATTERN_BLOCK = (() => {
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length / 32; i++) createHash('sha256').update(`jumpgate-rig-${i}`).digest().copy(block, i * 32);
  return block;
})();

export function* patternChunks(totalBytes: number, offset = 0, chunkSize = 64 * 1024): Generator<Buffer> {
  let position = offset % PATTERN_BLOCK.length;
  for (let left = totalBytes; left > 0; ) {
    const take = Math.min(left, chunkSize, PATTERN_BLOCK.length - position);
    yield PATTERN_BLOCK.subarray(position, position + take);
    left -= take;
    position = (position + take) % PATTERN_BLOCK.length;
  }
}

/** The SHA-256 (hex) of what a pattern server sends for `totalBytes` from `offset`. */
export function patternDigest(totalBytes: number, offset = 0): string {
  const hash = createHash('sha256');
  for (const chunk of patternChunks(totalBytes, offset)) hash.update(chunk);
  return hash.digest('hex');
}

/** A pattern server: how much it has handed to its sockets, and how many of them wait for the reader. */
export interface PatternPeer extends TcpPeer {
  readonly bytesSent: number;
  /** Connections whose socket buffer is full, waiting for 'drain': the reader (or the tunnel) holds them back. */
  readonly waiting: number;
}

/**
 * A download a client asks for: it writes `<bytes> <offset>\n` and gets that much of the pattern
 * (paced by the reader, as a database sends a dump), then an orderly end.
 */
export async function startPatternServer(): Promise<PatternPeer> {
  let bytesSent = 0;
  let waiting = 0;
  const peer = await startTcpPeer((socket) => {
    let request = '';
    const onRequest = (chunk: Buffer): void => {
      request += chunk.toString('latin1');
      if (!request.includes('\n')) return;
      socket.removeListener('data', onRequest);
      const [bytes, offset] = request.trim().split(' ').map(Number);
      const chunks = patternChunks(bytes ?? 0, offset ?? 0);
      const pump = (): void => {
        for (let next = chunks.next(); !next.done; next = chunks.next()) {
          bytesSent += next.value.length;
          if (!socket.write(next.value)) {
            waiting += 1;
            socket.once('drain', () => {
              waiting -= 1;
              pump();
            });
            return;
          }
        }
        socket.end();
      };
      pump();
    };
    socket.on('data', onRequest);
  });
  return Object.defineProperties(peer, {
    bytesSent: { get: () => bytesSent },
    waiting: { get: () => waiting },
  }) as PatternPeer;
}

/** Counts what arrives and answers nothing: proves whether any byte got through. */
export function startSinkServer(): Promise<TcpPeer> {
  return startTcpPeer((socket) => socket.resume());
}

/**
 * A port on which nothing listens, for "endpoint refused": from pickPort, under the kernel's
 * ephemeral range, so no other process's listen(0) brings it to life while a test counts on it.
 */
export function closedPort(): Promise<number> {
  return pickPort();
}

/** Send `payload`, half-close, and collect everything that comes back until the far end closes. */
export function roundTrip(port: number, payload = 'ping'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(payload));
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
    });
    socket.once('end', () => resolve(reply));
    socket.once('error', reject);
  });
}
