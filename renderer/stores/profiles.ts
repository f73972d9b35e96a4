import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ErrorInfo } from '../../shared/model/errors';
import type { Profile } from '../../shared/model/profile';

interface ProfilesState {
  seq: number;
  profiles: Profile[];
  problem: ErrorInfo | undefined;
  selectedId: string | undefined;
  select(id: string): void;
  init(bridge: JumpgateBridge): Promise<() => void>;
}

export const useProfiles = create<ProfilesState>((set, get) => ({
  seq: 0,
  profiles: [],
  problem: undefined,
  selectedId: undefined,
  select: (id) => set({ selectedId: id }),
  init: async (bridge) => {
    const unsubscribe = bridge.on('profiles:changed', (event) => {
      if (event.seq > get().seq) set({ seq: event.seq, profiles: event.profiles });
    });
    const reply = await bridge.invoke('profiles:list', {});
    if (reply.ok && reply.value.seq >= get().seq) {
      set({ seq: reply.value.seq, profiles: reply.value.profiles, problem: reply.value.problem, selectedId: get().selectedId ?? reply.value.profiles[0]?.id });
    }
    return unsubscribe;
  },
}));
