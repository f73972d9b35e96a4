import { createServer, type Server, type Socket } from 'node:net';
import { JumpgateError } from '../../../shared/model/errors';
import { findPortHolder, suggestFreePort } from './portHolder';

/** Security rule: local listeners are loopback only, never 0.0.0.0. */
export const LOOPBACK = '127.0.0.1';

/**
 * Bind a loopback listener for a tunnel. Half-open sockets are allowed so a client
 * that finishes sending (FIN) still receives the rest of the database's reply.
 */
export async function listenLocal(port: number, onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // exclusive: never share the port with a cluster sibling or a stale listener.
      server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  } catch (error) {
    server.close();
    throw await describeListenError(error, port);
  }
  return server;
}

async function describeListenError(error: unknown, port: number): Promise<JumpgateError> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    const holder = await findPortHolder(port);
    const suggestion = await suggestFreePort(port);
    const who = holder ? ` by ${holder.name} (PID ${holder.pid})` : '';
    return new JumpgateError('PORT_IN_USE', `Local port ${port} is already in use${who}.`, {
      hint:
        (holder ? `Stop ${holder.name} (PID ${holder.pid}) or choose another local port` : 'Choose another local port') +
        (suggestion ? `: ${suggestion} is free.` : '.'),
      details: { port, ...(holder ? { pid: holder.pid, process: holder.name } : {}), ...(suggestion ? { suggestedPort: suggestion } : {}) },
      cause: error,
    });
  }
  if (code === 'EACCES') {
    return new JumpgateError('PORT_IN_USE', `Jumpgate may not listen on local port ${port}.`, {
      hint: 'Ports below 1024 need administrator rights: choose a port above 1024, such as 13306 or 15432.',
      cause: error,
    });
  }
  return new JumpgateError('INTERNAL', `Could not listen on 127.0.0.1:${port}: ${(error as Error).message}`, { cause: error });
}

/** Close the listener and wait until the port is free again. */
export function closeListener(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}
