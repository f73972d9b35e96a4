import type { EventChannel, RequestChannel } from './channels';
import type { EventOf, Reply, RequestOf, ResponseOf } from './contract';

/**
 * What the renderer sees as `window.jumpgate` (Electron preload) or gets from
 * the WebSocket client (browser mode): contract calls and event subscriptions,
 * nothing else. Replies never throw; they carry `{ ok: false, error }`.
 */
export interface JumpgateBridge {
  invoke<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<Reply<ResponseOf<C>>>;
  /** Returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventOf<E>) => void): () => void;
}
