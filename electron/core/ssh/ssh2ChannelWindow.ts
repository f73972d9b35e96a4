import type { Client, ClientChannel } from 'ssh2';

/**
 * The one place Jumpgate reaches into ssh2 (1.17.0, pinned in package-lock) to own a channel's
 * receive window (issue #14). ssh2 advertises a fixed window (`MAX_WINDOW`, 2 MiB, in
 * lib/Channel.js, no option) and refills it only once half is consumed, which caps a channel at
 * about 1-2 MiB per round trip. Here the window is sent through ssh2's own protocol object
 * (`Protocol#channelWindowAdjust`) and the stock refill is kept out of the way; BENCHMARKS.md
 * says why this and not a patch to ssh2's files, and docs/upstream/ssh2-channel-window.md is the
 * same change proposed as an option on the client. ssh2ChannelWindow.test.ts fails loudly if any
 * of the internals below moves.
 *
 * How the stock refill is taken over without double-adjusting: ssh2 refills only when its count
 * of the channel's remaining window (`channel.incoming.window`) is at or under `WINDOW_THRESHOLD`
 * (1 MiB), on CHANNEL_DATA and in the channel's `_read`, and drops data when the count is 0.
 * The count is raised by a fixed offset far beyond any window, so neither ever happens; ssh2
 * keeps subtracting what arrives, and the real remaining window is the count minus the offset.
 */

/** ssh2's fixed window (`MAX_WINDOW` in lib/Channel.js): where every channel starts. */
export const SSH2_STOCK_WINDOW = 2 * 1024 * 1024;

/** Far above any window we grant (a channel's window is at most 2^32 - 1 by the protocol), far below 2^53. */
const TAKEOVER_OFFSET = 2 ** 44;

/** The parts of ssh2's internals used here (lib/client.js, lib/Channel.js, lib/protocol/Protocol.js). */
interface Ssh2Protocol {
  directTcpip(localChannel: number, initialWindow: number, maxPacket: number, config: unknown): void;
  channelWindowAdjust(remoteChannel: number, amount: number): void;
}
interface Ssh2ChannelState {
  incoming: { id: number; window: number; state: string };
  outgoing: { id: number; state: string };
}

/** A channel's receive window as the server sees it: what it may still send, and how to allow more. */
export interface ChannelCredit {
  /** Bytes granted that have not arrived yet (negative only if the server overran its window). */
  readonly outstanding: number;
  /** Allow the server `bytes` more (one SSH_MSG_CHANNEL_WINDOW_ADJUST). */
  grant(bytes: number): void;
}

export interface OwnedChannel {
  channel: ClientChannel;
  credit: ChannelCredit;
  /** ms from CHANNEL_OPEN sent to its confirmation: one round trip to the jump box (plus its connect to the target). */
  openMs: number;
}

function protocolOf(client: Client): Ssh2Protocol | undefined {
  const protocol = (client as unknown as { _protocol?: Partial<Ssh2Protocol> })._protocol;
  return protocol && typeof protocol.directTcpip === 'function' && typeof protocol.channelWindowAdjust === 'function'
    ? (protocol as Ssh2Protocol)
    : undefined;
}

function stateOf(channel: ClientChannel): Ssh2ChannelState | undefined {
  const state = channel as unknown as Partial<Ssh2ChannelState>;
  return typeof state.incoming?.window === 'number' && typeof state.outgoing?.id === 'number' ? (state as Ssh2ChannelState) : undefined;
}

/** Whether this ssh2 has the internals the takeover needs (the runtime half of the guard). */
export function canOwnWindows(client: Client): boolean {
  return protocolOf(client) !== undefined;
}

/**
 * Open a direct-tcpip channel whose receive window we own: CHANNEL_OPEN offers `initialWindow`
 * (ssh2 would offer its fixed 2 MiB), and from then on only `credit.grant` refills it. The
 * takeover happens inside ssh2's confirmation callback, before any CHANNEL_DATA of the channel
 * is parsed. Without the expected internals this is a plain `forwardOut` and `credit` undefined.
 */
export function forwardOutOwningWindow(
  client: Client,
  initialWindow: number,
  source: { host: string; port: number },
  destination: { host: string; port: number },
  done: (error: Error | undefined, opened?: { channel: ClientChannel; credit: ChannelCredit | undefined; openMs: number }) => void,
): void {
  const protocol = protocolOf(client);
  const started = performance.now();
  if (!protocol) {
    client.forwardOut(source.host, source.port, destination.host, destination.port, (error, channel) =>
      error ? done(error) : done(undefined, { channel, credit: undefined, openMs: performance.now() - started }));
    return;
  }
  // ssh2's openChannel passes its MAX_WINDOW to Protocol#directTcpip synchronously inside forwardOut:
  // offer ours for this one call (an own property over the prototype's method), then put it back.
  const stock = Object.getOwnPropertyDescriptor(protocol, 'directTcpip');
  const original = protocol.directTcpip;
  protocol.directTcpip = (localChannel, _stockWindow, maxPacket, config) => original.call(protocol, localChannel, initialWindow, maxPacket, config);
  try {
    client.forwardOut(source.host, source.port, destination.host, destination.port, (error, channel) => {
      if (error) {
        done(error);
        return;
      }
      const openMs = performance.now() - started;
      const state = stateOf(channel);
      if (!state) {
        done(undefined, { channel, credit: undefined, openMs });
        return;
      }
      // ssh2 set the count to its MAX_WINDOW on confirmation; ours is what we offered, raised by the offset.
      state.incoming.window = TAKEOVER_OFFSET + initialWindow;
      const credit: ChannelCredit = {
        get outstanding() {
          return state.incoming.window - TAKEOVER_OFFSET;
        },
        grant(bytes) {
          // As ssh2's own refill: not once our CLOSE is out (an EOF we sent still lets the server send).
          if (bytes <= 0 || state.outgoing.state === 'closed' || state.outgoing.state === 'closing') return;
          state.incoming.window += bytes;
          protocol.channelWindowAdjust(state.outgoing.id, bytes);
        },
      };
      done(undefined, { channel, credit, openMs });
    });
  } finally {
    if (stock) Object.defineProperty(protocol, 'directTcpip', stock);
    else delete (protocol as Partial<Ssh2Protocol>).directTcpip;
  }
}
