import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ErrorInfo } from '../../shared/model/errors';
import { trustRequestFor } from '../../shared/model/hostKeyTrust';
import type { FeedbackState } from './feedback';
import { remoteCall } from './remoteCall';

export interface HostKeysState {
  /**
   * Pin the host key a HOST_KEY_UNKNOWN error carries, once the user has accepted
   * its fingerprint (the connect prompt, the shell tab, the doctor and the checklist
   * all ask the same way). False, with the refusal shown, when it was not pinned.
   */
  trust(error: ErrorInfo): Promise<boolean>;
  /** Pin it, then do again what stopped at the question (open the shell, run the checks); nothing more if it was not pinned. */
  trustThen(error: ErrorInfo, retry: () => unknown): Promise<void>;
}

export function createHostKeysStore(bridge: JumpgateBridge, feedback: StoreApi<FeedbackState>) {
  const trustHostKey = remoteCall(bridge, 'hostKeys:trust');
  return create<HostKeysState>()((_set, get) => ({
    trust: async (error) => {
      const reply = await trustHostKey.send(trustRequestFor(error));
      if (!reply.ok) feedback.getState().showError(reply.error);
      return reply.ok;
    },
    trustThen: async (error, retry) => {
      if (await get().trust(error)) await retry();
    },
  }));
}
