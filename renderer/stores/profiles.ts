import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ErrorInfo } from '../../shared/model/errors';
import type { Profile } from '../../shared/model/profile';

interface ProfilesState {
  seq: number;
  profiles: Profile[];
  /** Why the list could not be loaded as it was (PROFILES_CORRUPT, or no connection to Jumpgate). */
  problem: ErrorInfo | undefined;
  selectedId: string | undefined;
  select(id: string | undefined): void;
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
      if (event.seq <= get().seq) return;
      // A deleted profile cannot stay selected; fall back to the first one.
      const selectedId = event.profiles.some((profile) => profile.id === get().selectedId) ? get().selectedId : event.profiles[0]?.id;
      set({ seq: event.seq, profiles: event.profiles, selectedId });
    });
    const reply = await bridge.invoke('profiles:list', {});
    if (!reply.ok) set({ problem: reply.error });
    else if (reply.value.seq >= get().seq) {
      set({ seq: reply.value.seq, profiles: reply.value.profiles, problem: reply.value.problem, selectedId: get().selectedId ?? reply.value.profiles[0]?.id });
    }
    return unsubscribe;
  },
}));
