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
  /**
   * Replace everything with a fresh snapshot, whatever its seq: after the service was lost the
   * events in between are gone, and a restarted service numbers its events from the start again.
   */
  resync(): Promise<void>;
}

/** The runtime state of every tunnel, mirrored from the service (the single source of truth). */
export function createTunnelsStore(bridge: JumpgateBridge) {
  const snapshot = remoteCall(bridge, 'tunnels:snapshot');
  let buffered: TunnelEvent[] | undefined = [];
  return create<TunnelsState>()((set, get) => {
    // Each event carries the tunnel's whole entry, so a tunnel the snapshot did not have is added as it is.
    const apply = ({ seq, tunnelId, endpoint, state }: TunnelEvent): void => {
      if (seq <= get().seq) return;
      set({ seq, byId: { ...get().byId, [tunnelId]: { id: tunnelId, endpoint, state } } });
    };
    return {
      seq: 0,
      byId: {},
      init: async () => {
        const unsubscribe = bridge.on('tunnels:state', (event) => (buffered ? buffered.push(event) : apply(event)));
        await get().resync();
        return unsubscribe;
      },
      resync: async () => {
        // Events that arrive while the snapshot is on its way wait, then only those after it apply.
        buffered ??= [];
        const reply = await snapshot.send({});
        if (reply.ok) set({ seq: reply.value.seq, byId: Object.fromEntries(reply.value.tunnels.map((entry) => [entry.id, entry])) });
        const waiting = buffered;
        buffered = undefined;
        for (const event of waiting) apply(event);
      },
    };
  });
}
