import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import { remoteCall } from './remoteCall';

/** Facts about this installation (version, where keys go, who the user is), read once at start-up. */
export interface AppState {
  info: ResponseOf<'app:info'> | undefined;
  init(): Promise<void>;
}

export function createAppStore(bridge: JumpgateBridge) {
  const appInfo = remoteCall(bridge, 'app:info');
  return create<AppState>()((set) => ({
    info: undefined,
    init: async () => {
      const reply = await appInfo.send({});
      if (reply.ok) set({ info: reply.value });
    },
  }));
}
