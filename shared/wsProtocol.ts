import type { EventChannel } from './channels';
import type { Reply } from './contract';

/**
 * The browser mode's wire format over one WebSocket: the same contract as
 * Electron IPC. The page sends requests with an id; the host answers each with
 * the same id and pushes events as they happen. The token travels as a
 * WebSocket subprotocol, never in a URL that could end up in a log.
 */
export const WS_PATH = '/ws';
export const WS_TOKEN_PROTOCOL_PREFIX = 'jumpgate.token.';

export interface WsRequest {
  type: 'request';
  id: number;
  channel: string;
  payload: unknown;
}

/** The page's heartbeat: the host answers at once with a pong, so a page learns within seconds that the host froze or went away. */
export interface WsPing {
  type: 'ping';
}

export type WsMessage =
  | { type: 'reply'; id: number; reply: Reply<unknown> }
  | { type: 'event'; channel: EventChannel; payload: unknown }
  | { type: 'pong' };

/** How often the page pings, and how long it waits for any message before it calls the host lost. */
export const WS_HEARTBEAT_MS = 2_000;
export const WS_SILENCE_LIMIT_MS = 6_000;
