/**
 * The benchmark's "database": a TCP server on 127.0.0.1, run in its own process
 * so its work never shares an event loop with the tunnel under test.
 * One request line per connection:
 *   D <bytes> <offset>\n  send <bytes> of the pattern from <offset>, then end
 *   U <bytes>\n           read <bytes>, check them, answer K (intact) or X, then end
 *   P\n                   answer one byte at once, then end (time to first byte)
 */
import { createServer, type Socket } from 'node:net';
import { PatternVerifier, patternSlices } from './pattern';

async function sendPattern(socket: Socket, length: number, offset: number): Promise<void> {
  for (const slice of patternSlices(length, offset)) {
    if (!socket.write(slice)) {
      await new Promise<void>((resolve, reject) => {
        const onClose = (): void => reject(new Error('closed'));
        socket.once('close', onClose);
        socket.once('drain', () => {
          socket.removeListener('close', onClose);
          resolve();
        });
      });
    }
  }
  socket.end();
}

function handle(socket: Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  let header = '';
  const onHeader = (chunk: Buffer): void => {
    const newline = chunk.indexOf(10);
    if (newline === -1) {
      header += chunk.toString('latin1');
      return;
    }
    socket.removeListener('data', onHeader);
    header += chunk.subarray(0, newline).toString('latin1');
    const rest = chunk.subarray(newline + 1);
    const [op, a, b] = header.split(' ');
    if (op === 'P') {
      socket.end('p');
    } else if (op === 'D') {
      void sendPattern(socket, Number(a), Number(b ?? 0)).catch(() => socket.destroy());
    } else if (op === 'U') {
      const expected = Number(a);
      const verifier = new PatternVerifier(0);
      const take = (data: Buffer): void => {
        verifier.update(data);
        if (verifier.received >= expected) {
          socket.removeListener('data', take);
          socket.end(verifier.intact && verifier.received === expected ? 'K' : 'X');
        }
      };
      socket.on('data', take);
      if (rest.length > 0) take(rest);
    } else {
      socket.destroy();
    }
  };
  socket.on('data', onHeader);
}

const server = createServer({ noDelay: true }, handle);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ type: 'listening', port });
});
process.on('disconnect', () => process.exit(0));
