import type { Socket } from 'node:net';
import type { ClientChannel } from 'ssh2';
import { processGarbagePacer } from '../platform/garbagePacer';
import type { ReceiveWindow } from '../ssh/receiveWindow';

/** Live byte counters a tunnel reports; mutated in place by the pipes. */
export interface ByteCounters {
  bytesIn: number;
  bytesOut: number;
}

/**
 * Whether a channel's readable side ended because the connection under it died, not because the
 * far end sent EOF. ssh2 ends the stream the same way in both cases; what differs is its channel
 * bookkeeping (ssh2 1.x, pinned in package-lock): a real EOF leaves `incoming.state` at 'eof', or
 * at 'closed' once the far end's CLOSE made ssh2 end our side too; a dead connection marks the
 * channel 'closed' without ending our side (utils.js onCHANNEL_CLOSE with `dead`).
 */
function diedUnder(channel: ClientChannel): boolean {
  const state = (channel as unknown as { incoming?: { state?: string } }).incoming?.state;
  return state === 'closed' && !channel.writableEnded;
}

/**
 * Join a local client socket and an SSH channel in both directions.
 * A half-close (EOF) travels through; any error or close on either side tears
 * down both, so no socket or channel outlives its partner. A channel whose SSH
 * connection died (session killed, jump box gone) resets the local socket
 * instead of ending it, so a client that does not count bytes (a dump piped to a
 * file) sees ECONNRESET rather than taking a truncated stream for a complete one.
 * A channel opened with its own receive `window` has it refilled as the socket takes
 * the bytes (and grown with the link); without one, ssh2's fixed window applies. Every byte
 * either way counts toward the process's next paced young collection (garbagePacer.ts says why).
 * Resolves once both are gone.
 */
export function joinSocketAndChannel(socket: Socket, channel: ClientChannel, counters: ByteCounters, window?: ReceiveWindow): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    const teardown = (): void => {
      if (finished) return;
      finished = true;
      window?.dispose();
      socket.destroy();
      closeChannel(channel);
      resolve();
    };

    socket.on('data', (chunk: Buffer) => {
      counters.bytesOut += chunk.length;
      processGarbagePacer.note(chunk.length);
    });
    channel.on('data', (chunk: Buffer) => {
      counters.bytesIn += chunk.length;
      processGarbagePacer.note(chunk.length);
    });

    socket.pipe(channel);
    // The socket's end is decided here, not by the pipe: an orderly EOF ends it, a dead connection resets it.
    channel.pipe(socket, { end: false });
    // After the pipe: a chunk the window sees has already been handed to the socket.
    window?.attach(socket);
    channel.once('end', () => {
      if (!diedUnder(channel)) {
        socket.end();
        return;
      }
      if (finished) return;
      finished = true;
      window?.dispose();
      socket.resetAndDestroy();
      closeChannel(channel);
      resolve();
    });

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
