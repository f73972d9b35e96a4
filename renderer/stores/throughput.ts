import { create, type StoreApi } from 'zustand';
import { withSample, type CounterSample } from '../throughput';
import type { TunnelsState } from './tunnels';

/** The last minute of every open tunnel's byte counters, for its sparkline. */
export interface ThroughputState {
  byId: Record<string, CounterSample[]>;
}

/** Fed by the tunnels store: each state event with new counters adds a sample; a tunnel that stops holding its port loses its history. */
export function createThroughputStore(tunnels: StoreApi<TunnelsState>, now: () => number = Date.now) {
  const store = create<ThroughputState>()(() => ({ byId: {} }));
  tunnels.subscribe((state) => {
    const before = store.getState().byId;
    const next: Record<string, CounterSample[]> = {};
    for (const [id, entry] of Object.entries(state.byId)) {
      if (entry.state.status !== 'open' && entry.state.status !== 'reconnecting') continue;
      const { bytesIn, bytesOut } = entry.state;
      next[id] = withSample(before[id] ?? [], { at: now(), bytes: bytesIn + bytesOut });
    }
    store.setState({ byId: next });
  });
  return store;
}
