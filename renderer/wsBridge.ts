import type { BridgeStatus, JumpgateBridge } from '../shared/bridge';
import { WS_HEARTBEAT_MS, WS_PATH, WS_SILENCE_LIMIT_MS, WS_TOKEN_PROTOCOL_PREFIX, type WsMessage } from '../shared/wsProtocol';

/** Waits between reconnect attempts: quick at first (a restart), then every few seconds. */
const RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000];

/** Replies never throw (the bridge's promise): a lost service becomes this coded reply. */
const UNREACHABLE = {
  ok: false,
  error: {
    code: 'SERVICE_UNREACHABLE',
    message: 'This page is not connected to Jumpgate.',
    hint: 'It reconnects by itself while `jumpgate serve` runs. If it was restarted, open the new URL it printed.',
  },
} as const;

/** The first contact failed: the host refused the token (or was not there); a new URL is needed. */
const REFUSED = {
  ok: false,
  error: {
    code: 'SERVICE_UNREACHABLE',
    message: 'The Jumpgate host refused this page.',
    hint: 'Open Jumpgate from the exact URL that `jumpgate serve` printed (it carries the access token), in a new tab.',
  },
} as const;

/**
 * The browser mode's bridge: the same contract as Electron's window.jumpgate,
 * over a WebSocket to `jumpgate serve`. The token comes from the page's URL
 * fragment (never sent to the server in a URL) and travels as a subprotocol.
 *
 * The page must never show a dead service as alive: a closed socket, or a
 * host that stops answering the heartbeat, makes the status 'disconnected' at
 * once, fails the requests in flight, and the bridge keeps reconnecting; the
 * stores take fresh snapshots when the status comes back to 'connected'.
 */
export function createWsBridge(token: string, location: Location = window.location): JumpgateBridge {
  let socket: WebSocket | undefined;
  let status: BridgeStatus = 'connecting';
  let attempt = 0;
  let nextId = 1;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let lastHeard = 0;
  const pending = new Map<number, (reply: unknown) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(status: BridgeStatus) => void>();

  const setStatus = (next: BridgeStatus): void => {
    if (next === status) return;
    status = next;
    for (const listener of [...statusListeners]) listener(next);
  };

  const open = (): void => {
    const current = new WebSocket(`ws://${location.host}${WS_PATH}`, [`${WS_TOKEN_PROTOCOL_PREFIX}${token}`]);
    socket = current;
    current.addEventListener('open', () => {
      attempt = 0;
      lastHeard = Date.now();
      heartbeat = setInterval(() => {
        // Silence past the limit means a frozen or vanished host, even if TCP has not noticed yet.
        if (Date.now() - lastHeard > WS_SILENCE_LIMIT_MS) current.close();
        else if (current.readyState === WebSocket.OPEN) current.send(JSON.stringify({ type: 'ping' }));
      }, WS_HEARTBEAT_MS);
      setStatus('connected');
    });
    current.addEventListener('message', (event: MessageEvent<string>) => {
      lastHeard = Date.now();
      const message = JSON.parse(event.data) as WsMessage;
      if (message.type === 'reply') {
        pending.get(message.id)?.(message.reply);
        pending.delete(message.id);
      } else if (message.type === 'event') {
        for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
      }
    });
    current.addEventListener('close', () => {
      if (socket !== current) return;
      clearInterval(heartbeat);
      socket = undefined;
      for (const resolve of pending.values()) resolve(UNREACHABLE);
      pending.clear();
      if (status === 'connecting') {
        // Never opened: the host turned this token away. Knocking again would not change that.
        setStatus('refused');
        return;
      }
      setStatus('disconnected');
      const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] ?? 4_000;
      attempt += 1;
      setTimeout(open, delay);
    });
  };
  open();

  const connected = (): Promise<boolean> =>
    status !== 'connecting'
      ? Promise.resolve(status === 'connected')
      : new Promise((resolve) => {
          const stop = onStatus((next) => {
            if (next === 'connecting') return;
            queueMicrotask(() => stop());
            resolve(next === 'connected');
          });
        });

  function onStatus(listener: (status: BridgeStatus) => void): () => void {
    statusListeners.add(listener);
    listener(status);
    return () => {
      statusListeners.delete(listener);
    };
  }

  return {
    invoke: (async (channel: string, request: unknown) => {
      if (!(await connected()) || !socket || socket.readyState !== WebSocket.OPEN) return status === 'refused' ? REFUSED : UNREACHABLE;
      const id = nextId++;
      const target = socket;
      return new Promise<unknown>((resolve) => {
        pending.set(id, resolve);
        target.send(JSON.stringify({ type: 'request', id, channel, payload: request }));
      });
    }) as JumpgateBridge['invoke'],
    on: ((channel: string, listener: (payload: unknown) => void) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    }) as JumpgateBridge['on'],
    onStatus,
  };
}

/** Electron's preload bridge when present, else the WebSocket to `jumpgate serve`. */
export function connectBridge(): JumpgateBridge {
  const electron = (window as unknown as { jumpgate?: JumpgateBridge }).jumpgate;
  if (electron) return electron;
  const token = takeToken(window);
  if (!token) throw new Error('Open Jumpgate from the URL that `jumpgate serve` printed (it carries the access token).');
  return createWsBridge(token);
}

const TOKEN_KEY = 'jumpgate.serveToken';

/**
 * The access token from the printed URL's fragment, which then leaves the address bar (and the
 * history, and a screenshot or a shared screen): the tab keeps it in its session storage, so a
 * reload still works and a closed tab forgets it.
 */
export function takeToken(page: Pick<Window, 'location' | 'history' | 'sessionStorage'>): string | undefined {
  const fromUrl = new URLSearchParams(page.location.hash.slice(1)).get('token');
  if (fromUrl) {
    try {
      page.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage refused: the token still works for this page's life, only a reload will need the URL again.
    }
    page.history.replaceState(page.history.state, '', `${page.location.pathname}${page.location.search}`);
    return fromUrl;
  }
  try {
    return page.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
