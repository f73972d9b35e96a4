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
  /**
   * Whether the service can be reached now. The listener hears the current status at once and
   * every change after; after 'disconnected' -> 'connected' nothing the page holds is current
   * (events were missed, the service may have restarted), so it takes fresh snapshots.
   * Returns the unsubscribe function.
   */
  onStatus(listener: (status: BridgeStatus) => void): () => void;
}

/**
 * 'connecting' before the first contact; 'disconnected' while the service is lost (the bridge
 * keeps trying); 'refused' when the very first contact failed (a wrong or old token): retrying cannot help.
 */
export type BridgeStatus = 'connecting' | 'connected' | 'disconnected' | 'refused';
