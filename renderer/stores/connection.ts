import { create } from 'zustand';
import type { BridgeStatus, JumpgateBridge } from '../../shared/bridge';

export interface ConnectionState {
  /** Whether the service can be reached: what the page shows about tunnels is true only while 'connected'. */
  status: BridgeStatus;
  /** Every time the service comes back after it was lost (not the first contact). */
  onReconnect(listener: () => void): () => void;
}

/** The page's link to the service, as the bridge reports it. */
export function createConnectionStore(bridge: JumpgateBridge) {
  const reconnectListeners = new Set<() => void>();
  const store = create<ConnectionState>()(() => ({
    status: 'connecting',
    onReconnect: (listener) => {
      reconnectListeners.add(listener);
      return () => {
        reconnectListeners.delete(listener);
      };
    },
  }));
  bridge.onStatus((status) => {
    const before = store.getState().status;
    store.setState({ status });
    if (status === 'connected' && before === 'disconnected') for (const listener of [...reconnectListeners]) listener();
  });
  return store;
}
