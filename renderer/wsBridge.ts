import type { JumpgateBridge } from '../shared/bridge';
import { WS_PATH, WS_TOKEN_PROTOCOL_PREFIX, type WsMessage } from '../shared/wsProtocol';

/**
 * The browser mode's bridge: the same contract as Electron's window.jumpgate,
 * over one WebSocket to `jumpgate serve`. The token comes from the page's URL
 * fragment (never sent to the server in a URL) and travels as a subprotocol.
 */
export function createWsBridge(token: string, location: Location = window.location): JumpgateBridge {
  const socket = new WebSocket(`ws://${location.host}${WS_PATH}`, [`${WS_TOKEN_PROTOCOL_PREFIX}${token}`]);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('The Jumpgate host refused the connection.')), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (reply: unknown) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  socket.addEventListener('message', (event: MessageEvent<string>) => {
    const message = JSON.parse(event.data) as WsMessage;
    if (message.type === 'reply') {
      pending.get(message.id)?.(message.reply);
      pending.delete(message.id);
    } else {
      for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
    }
  });
  // Replies never throw (the bridge's promise): a refused or lost socket becomes an error reply.
  const closed = { ok: false, error: { code: 'INTERNAL', message: 'The connection to Jumpgate closed.', hint: 'Restart jumpgate serve and open its new URL.' } };
  const refused = {
    ok: false,
    error: {
      code: 'INTERNAL',
      message: 'The Jumpgate host refused this page.',
      hint: 'Open Jumpgate from the exact URL that `jumpgate serve` printed (it carries the access token), in a new tab.',
    },
  };
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve(closed);
    pending.clear();
  });
  return {
    invoke: (async (channel: string, request: unknown) => {
      const wasOpened = await opened.then(
        () => true,
        () => false,
      );
      if (!wasOpened) return refused;
      if (socket.readyState !== WebSocket.OPEN) return closed;
      const id = nextId++;
      return new Promise<unknown>((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ type: 'request', id, channel, payload: request }));
      });
    }) as JumpgateBridge['invoke'],
    on: ((channel: string, listener: (payload: unknown) => void) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    }) as JumpgateBridge['on'],
  };
}

/** Electron's preload bridge when present, else the WebSocket to `jumpgate serve`. */
export function connectBridge(): JumpgateBridge {
  const electron = (window as unknown as { jumpgate?: JumpgateBridge }).jumpgate;
  if (electron) return electron;
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (!token) throw new Error('Open Jumpgate from the URL that `jumpgate serve` printed (it carries the access token).');
  return createWsBridge(token);
}
