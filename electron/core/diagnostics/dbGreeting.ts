import type { Duplex } from 'node:stream';

/**
 * Ask the database behind a channel to say hello, without logging in: MySQL and
 * MariaDB send a handshake packet first (protocol 10, then the server version);
 * PostgreSQL answers an SSLRequest with one byte, 'S' or 'N'. Proves the thing
 * at the far end is the database the target says, not just an open port.
 */
export function readDbGreeting(stream: Duplex, family: 'mysql' | 'postgres', timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no greeting within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error, text?: string): void => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      stream.destroy();
      if (error) reject(error);
      else resolve(text ?? '');
    };
    stream.on('error', (error: Error) => finish(error));
    stream.on('close', () => finish(new Error('the connection closed before the database said hello')));
    stream.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (family === 'postgres') {
        const answer = String.fromCharCode(buffer[0] ?? 0);
        if (answer === 'S' || answer === 'N') finish(undefined, `PostgreSQL answered (TLS ${answer === 'S' ? 'offered' : 'not offered'})`);
        else finish(new Error('the answer is not PostgreSQL'));
        return;
      }
      // MySQL packet: 3-byte length, 1-byte sequence, then protocol version 10 and a NUL-terminated version.
      if (buffer.length < 5) return;
      const length = buffer.readUIntLE(0, 3);
      if (buffer.length < 4 + Math.min(length, 64)) return;
      if (buffer[4] === 0xff) {
        finish(new Error(`the server refused the connection: ${buffer.subarray(7, 4 + length).toString('utf8')}`));
        return;
      }
      if (buffer[4] !== 10) {
        finish(new Error('the answer is not a MySQL handshake'));
        return;
      }
      const end = buffer.indexOf(0, 5);
      finish(undefined, `MySQL protocol 10, server ${buffer.subarray(5, end === -1 ? 5 + 32 : end).toString('utf8')}`);
    });
    if (family === 'postgres') {
      const request = Buffer.alloc(8);
      request.writeUInt32BE(8, 0);
      request.writeUInt32BE(80877103, 4);
      stream.write(request);
    }
  });
}
