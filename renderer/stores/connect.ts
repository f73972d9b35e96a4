import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ErrorInfo } from '../../shared/model/errors';
import { sshQuestionFor, trustHostKeyOf, type SshQuestion } from '../sshQuestions';
import { useDoctor } from './doctor';
import { useFeedback } from './feedback';
import { useProfiles } from './profiles';

/** One target, or every target of the profile when targetId is absent. */
export interface ConnectJob {
  profileId: string;
  targetId?: string;
}

/** The question a connect raised, with the job to retry once it is answered. */
export type ConnectDialog = SshQuestion & { retry: ConnectJob };

interface Unlock {
  passphrase: string;
  remember: boolean;
}

interface ConnectState {
  /** Jobs in flight, by jobKey: their buttons are disabled meanwhile. */
  busy: Record<string, true>;
  dialog: ConnectDialog | undefined;
  connect(bridge: JumpgateBridge, job: ConnectJob, unlock?: Unlock): Promise<void>;
  disconnect(bridge: JumpgateBridge, job: ConnectJob): Promise<void>;
  /** Pin the host key the dialog showed, then retry the connect. */
  trust(bridge: JumpgateBridge): Promise<void>;
  unlock(bridge: JumpgateBridge, unlock: Unlock): Promise<void>;
  dismiss(): void;
}

export function jobKey(job: ConnectJob): string {
  return job.targetId ? `${job.profileId}/${job.targetId}` : job.profileId;
}

/**
 * Connect and disconnect, with the host-key and passphrase questions in
 * between: the same flow for one target and for a whole profile.
 */
export const useConnect = create<ConnectState>((set, get) => {
  const setBusy = (job: ConnectJob, busy: boolean): void => {
    const next = { ...get().busy };
    if (busy) next[jobKey(job)] = true;
    else delete next[jobKey(job)];
    set({ busy: next });
  };

  const askOrReport = (error: ErrorInfo, job: ConnectJob, bridge: JumpgateBridge): void => {
    const question = sshQuestionFor(error, useProfiles.getState().profiles.find((entry) => entry.id === job.profileId));
    if (question) set({ dialog: { ...question, retry: job } });
    else {
      useFeedback.getState().showError(error);
      // Issue #6: a failed connect runs the doctor, and the error note points at the first failing
      // step. Not for a taken local port: that error already names the holder and a free port, and
      // no step on the way to the jump box is at fault.
      if (error.code !== 'PORT_IN_USE') void useDoctor.getState().run(bridge, job, error);
    }
  };

  return {
    busy: {},
    dialog: undefined,
    connect: async (bridge, job, unlock) => {
      setBusy(job, true);
      useFeedback.getState().clear();
      const extra = unlock ? { unlock } : {};
      const reply = job.targetId
        ? await bridge.invoke('tunnels:start', { profileId: job.profileId, targetId: job.targetId, ...extra })
        : await bridge.invoke('tunnels:startProfile', { profileId: job.profileId, ...extra });
      setBusy(job, false);
      if (!reply.ok) askOrReport(reply.error, job, bridge);
    },
    disconnect: async (bridge, job) => {
      setBusy(job, true);
      const reply = job.targetId
        ? await bridge.invoke('tunnels:stop', { profileId: job.profileId, targetId: job.targetId })
        : await bridge.invoke('tunnels:stopProfile', { profileId: job.profileId });
      setBusy(job, false);
      if (!reply.ok) useFeedback.getState().showError(reply.error);
    },
    trust: async (bridge) => {
      const dialog = get().dialog;
      if (dialog?.kind !== 'hostKey') return;
      set({ dialog: undefined });
      const reply = await trustHostKeyOf(bridge, dialog.error);
      if (!reply.ok) useFeedback.getState().showError(reply.error);
      else await get().connect(bridge, dialog.retry);
    },
    unlock: async (bridge, unlock) => {
      const dialog = get().dialog;
      if (dialog?.kind !== 'passphrase') return;
      set({ dialog: undefined });
      await get().connect(bridge, dialog.retry, unlock);
    },
    dismiss: () => set({ dialog: undefined }),
  };
});
