import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf } from '../../shared/contract';
import type { TunnelSnapshotEntry } from '../../shared/model/tunnelState';
import { remoteCall } from './remoteCall';

type TunnelEvent = EventOf<'tunnels:state'>;

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
      const buffered: TunnelEvent[] = [];
      let ready = false;
      // Each event carries the tunnel's whole entry, so a tunnel the snapshot did not have is added as it is.
      const apply = ({ seq, tunnelId, endpoint, state }: TunnelEvent): void => {
        if (seq <= get().seq) return;
        set({ seq, byId: { ...get().byId, [tunnelId]: { id: tunnelId, endpoint, state } } });
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
