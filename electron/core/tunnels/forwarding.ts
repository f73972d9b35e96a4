import type { Socket } from 'node:net';
import type { ClientChannel } from 'ssh2';

/** Live byte counters a tunnel reports; mutated in place by the pipes. */
export interface ByteCounters {
  bytesIn: number;
  bytesOut: number;
}

/**
 * Join a local client socket and an SSH channel in both directions.
 * A half-close (EOF) travels through; any error or close on either side tears
 * down both, so no socket or channel outlives its partner.
 * Resolves once both are gone.
 */
export function joinSocketAndChannel(socket: Socket, channel: ClientChannel, counters: ByteCounters): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    const teardown = (): void => {
      if (finished) return;
      finished = true;
      socket.destroy();
      closeChannel(channel);
      resolve();
    };

    socket.on('data', (chunk: Buffer) => {
      counters.bytesOut += chunk.length;
    });
    channel.on('data', (chunk: Buffer) => {
      counters.bytesIn += chunk.length;
    });

    socket.pipe(channel);
    channel.pipe(socket);

    socket.once('error', teardown);
    socket.once('close', teardown);
    channel.once('error', teardown);
    channel.once('close', teardown);
    // A held socket was paused while the jump box reconnected.
    socket.resume();
  });
}

/**
 * Send EOF (if not sent yet) and CLOSE. ssh2's `destroy()` does the same but
 * calls `end()` even on an ended channel, and ending an ended stream makes Node
 * build an ERR_STREAM_ALREADY_FINISHED error, stack trace included, that nobody
 * reads: about 5 % of the engine's CPU per short connection in a profile of the
 * benchmark's time-to-first-byte loop.
 */
function closeChannel(channel: ClientChannel): void {
  if (!channel.writableEnded) channel.end();
  channel.close();
}
