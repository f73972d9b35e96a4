import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';

/** Facts about this installation (version, where keys go, who the user is), read once at start-up. */
interface AppState {
  info: ResponseOf<'app:info'> | undefined;
  init(bridge: JumpgateBridge): Promise<void>;
}

export const useApp = create<AppState>((set) => ({
  info: undefined,
  init: async (bridge) => {
    const reply = await bridge.invoke('app:info', {});
    if (reply.ok) set({ info: reply.value });
  },
}));
