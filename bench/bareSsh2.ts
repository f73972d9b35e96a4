/**
 * The floor under the engine: a bare ssh2 forward (one connection, one channel
 * per client, plain pipes, the library's defaults), in a process of its own like
 * the engine. If the engine runs as fast as this, the gap to OpenSSH is the
 * library's, not the engine's. It checks the host key like the engine does.
 * It loads ssh2's client the way the engine does (electron/core/ssh/ssh2Parts.ts), not the
 * package's index with its HTTP agents and server: the weight section's floor is what a Node
 * process needs to hold a forward.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Client } from '../electron/core/ssh/ssh2Parts';

const [host, port, user, keyPath, hostKeyBase64, remotePort, localPort] = process.argv.slice(2);
if (!localPort) throw new Error('usage: bareSsh2 <host> <port> <user> <keyPath> <hostKeyBase64> <remotePort> <localPort>');
const expected = Buffer.from(hostKeyBase64 as string, 'base64');

const client = new Client();
client.on('ready', () => {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    client.forwardOut('127.0.0.1', 0, '127.0.0.1', Number(remotePort), (error, channel) => {
      if (error) {
        socket.destroy();
        return;
      }
      socket.pipe(channel).pipe(socket);
      socket.on('error', () => channel.close());
      channel.on('error', () => socket.destroy());
    });
  });
  // Over IPC when the benchmark forked it; on stdout when the weight section spawned it.
  server.listen(Number(localPort), '127.0.0.1', () => (process.send ? process.send({ type: 'ready' }) : console.info('ready')));
});
client.on('error', (error) => {
  console.error(`bareSsh2: ${error.message}`);
  process.exit(1);
});
client.connect({
  host,
  port: Number(port),
  username: user,
  privateKey: readFileSync(keyPath as string),
  hostVerifier: (key: Buffer) => Buffer.compare(Buffer.from(key), expected) === 0,
});
client.on('handshake', () => undefined);
process.on('disconnect', () => {
  client.end();
  process.exit(0);
});
process.on('SIGINT', () => process.exit(0));
