import { connect, createServer, type Server, type Socket } from 'node:net';

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
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        port,
        get connections() {
          return connections;
        },
        get bytesReceived() {
          return bytesReceived;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
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

/** Counts what arrives and answers nothing: proves whether any byte got through. */
export function startSinkServer(): Promise<TcpPeer> {
  return startTcpPeer((socket) => socket.resume());
}

/** A port on which nothing listens (bound, then released), for "endpoint refused". */
export async function closedPort(): Promise<number> {
  const peer = await startTcpPeer(() => undefined);
  const port = peer.port;
  await peer.close();
  return port;
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
