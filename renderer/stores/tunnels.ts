import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { TunnelSnapshotEntry, TunnelState } from '../../shared/model/tunnelState';
import { remoteCall } from './remoteCall';

export interface TunnelsState {
  seq: number;
  byId: Record<string, TunnelSnapshotEntry>;
  /** Subscribe first, buffer, take the snapshot, then apply only newer events. Returns the unsubscribe. */
  init(): Promise<() => void>;
}

/** The runtime state of every tunnel, mirrored from the service (the single source of truth). */
export function createTunnelsStore(bridge: JumpgateBridge) {
  const snapshot = remoteCall(bridge, 'tunnels:snapshot');
  return create<TunnelsState>()((set, get) => ({
    seq: 0,
    byId: {},
    init: async () => {
      const buffered: Array<{ seq: number; tunnelId: string; state: TunnelState }> = [];
      let ready = false;
      const apply = (event: { seq: number; tunnelId: string; state: TunnelState }): void => {
        if (event.seq <= get().seq) return;
        const existing = get().byId[event.tunnelId];
        // An event for a tunnel the snapshot did not have yet: fetch its endpoint with the next snapshot.
        if (!existing) {
          void snapshot.send({}).then((reply) => {
            if (reply.ok) set({ byId: Object.fromEntries(reply.value.tunnels.map((entry) => [entry.id, entry])), seq: Math.max(get().seq, reply.value.seq) });
          });
          return;
        }
        set({ seq: event.seq, byId: { ...get().byId, [event.tunnelId]: { ...existing, state: event.state } } });
      };
      const unsubscribe = bridge.on('tunnels:state', (event) => (ready ? apply(event) : buffered.push(event)));
      const reply = await snapshot.send({});
      if (reply.ok) set({ seq: reply.value.seq, byId: Object.fromEntries(reply.value.tunnels.map((entry) => [entry.id, entry])) });
      ready = true;
      for (const event of buffered) apply(event);
      return unsubscribe;
    },
  }));
}
