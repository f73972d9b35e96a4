import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ErrorInfo } from '../../shared/model/errors';
import type { TunnelState } from '../../shared/model/tunnelState';
import { sshQuestionFor, type SshQuestion, type Unlock } from '../sshQuestions';
import type { DoctorState } from './doctor';
import type { FeedbackState } from './feedback';
import type { HostKeysState } from './hostKeys';
import type { ProfilesState } from './profiles';
import { remoteCall } from './remoteCall';

/** One target, or every target of the profile when targetId is absent. */
export interface ConnectJob {
  profileId: string;
  targetId?: string;
}

/** The question a connect raised, with the job to retry once it is answered. */
export type ConnectDialog = SshQuestion & { retry: ConnectJob };

export interface ConnectState {
  /** Jobs in flight, by jobKey: their buttons are disabled meanwhile. */
  busy: Record<string, true>;
  dialog: ConnectDialog | undefined;
  /**
   * Why the last connect of a job failed, by jobKey: shown on that target's row (or above the
   * targets for a whole profile), gone when that job (or its profile's) connects, when the
   * user dismisses it or moves to another screen.
   */
  errors: Record<string, ErrorInfo>;
  connect(job: ConnectJob, unlock?: Unlock): Promise<void>;
  disconnect(job: ConnectJob): Promise<void>;
  /** A reconnecting target tries again now instead of waiting out its backoff. */
  retryNow(job: ConnectJob & { targetId: string }): Promise<void>;
  /** After a port clash: move the target to `port` (one profile change, at the revision this window has) and connect it. */
  usePort(job: ConnectJob & { targetId: string }, port: number): Promise<void>;
  dismissError(job: ConnectJob): void;
  clearErrors(): void;
  /** Pin the host key the dialog showed, then retry the connect. */
  trust(): Promise<void>;
  unlock(unlock: Unlock): Promise<void>;
  dismiss(): void;
}

/** What the open dialog waits for: the key's passphrase, or the user's word on a new host key. */
export type PendingQuestion = 'passphrase' | 'hostKey';

/**
 * The question a target's failed state only stands for while the dialog asking it is open: a
 * tunnel that stopped to ask for a passphrase (or a first-seen host key) is waiting for the user,
 * not failing. A wrong passphrase, a changed host key or a cancelled dialog is a failure again.
 */
export function pendingQuestionOf(dialog: ConnectDialog | undefined, profileId: string, targetId: string, state: TunnelState): PendingQuestion | undefined {
  if (!dialog || state.status !== 'failed' || dialog.retry.profileId !== profileId) return undefined;
  if (dialog.retry.targetId !== undefined && dialog.retry.targetId !== targetId) return undefined;
  if (dialog.kind === 'passphrase' && !dialog.wrong && state.error.code === 'PASSPHRASE_REQUIRED') return 'passphrase';
  if (dialog.kind === 'hostKey' && state.error.code === 'HOST_KEY_UNKNOWN') return 'hostKey';
  return undefined;
}

/** The state to count a target as in a profile's summary dot: a pending question is not a failure. */
export function summaryState(state: TunnelState, question: PendingQuestion | undefined): TunnelState {
  return question ? { status: 'idle' } : state;
}

/** What the user reads when "Remember in the system keychain" was ticked and the keychain refused. */
export function notRememberedNotice(error: ErrorInfo): string {
  return `Connected, but the passphrase was not saved in the system keychain: ${error.message}${error.hint ? ` ${error.hint}` : ''} Jumpgate will ask for it again next time.`;
}

export function jobKey(job: ConnectJob): string {
  return job.targetId ? `${job.profileId}/${job.targetId}` : job.profileId;
}

/** The stores a connect reads and reports to. */
export interface ConnectDeps {
  profiles: StoreApi<ProfilesState>;
  doctor: StoreApi<DoctorState>;
  hostKeys: StoreApi<HostKeysState>;
  feedback: StoreApi<FeedbackState>;
}

/**
 * Connect and disconnect, with the host-key and passphrase questions in
 * between: the same flow for one target and for a whole profile.
 */
export function createConnectStore(bridge: JumpgateBridge, { profiles, doctor, hostKeys, feedback }: ConnectDeps) {
  const startTarget = remoteCall(bridge, 'tunnels:start');
  const startProfile = remoteCall(bridge, 'tunnels:startProfile');
  const stopTarget = remoteCall(bridge, 'tunnels:stop');
  const stopProfile = remoteCall(bridge, 'tunnels:stopProfile');
  const retryNow = remoteCall(bridge, 'tunnels:retryNow');
  const updateTarget = remoteCall(bridge, 'profiles:updateTarget');

  return create<ConnectState>()((set, get) => {
    const setBusy = (job: ConnectJob, busy: boolean): void => {
      const next = { ...get().busy };
      if (busy) next[jobKey(job)] = true;
      else delete next[jobKey(job)];
      set({ busy: next });
    };

    /** Forget the errors a new attempt at `job` replaces: its own, and for a whole profile its targets' too. */
    const forgetErrors = (job: ConnectJob): void => {
      const key = jobKey(job);
      const next = Object.fromEntries(Object.entries(get().errors).filter(([other]) => other !== key && !(job.targetId === undefined && other.startsWith(`${job.profileId}/`))));
      set({ errors: next });
    };

    const askOrReport = (error: ErrorInfo, job: ConnectJob): void => {
      const question = sshQuestionFor(error, profiles.getState().profiles.find((entry) => entry.id === job.profileId));
      if (question) set({ dialog: { ...question, retry: job } });
      else {
        set({ errors: { ...get().errors, [jobKey(job)]: error } });
        // Issue #6: a failed connect runs the doctor, and the error note points at the first failing
        // step. Not for a taken local port: that error already names the holder and a free port, and
        // no step on the way to the jump box is at fault.
        if (error.code !== 'PORT_IN_USE') void doctor.getState().run(job, { after: error });
      }
    };

    return {
      busy: {},
      dialog: undefined,
      errors: {},
      connect: async (job, unlock) => {
        setBusy(job, true);
        feedback.getState().clear();
        forgetErrors(job);
        const extra = unlock ? { unlock } : {};
        const reply = job.targetId
          ? await startTarget.send({ profileId: job.profileId, targetId: job.targetId, ...extra })
          : await startProfile.send({ profileId: job.profileId, ...extra });
        setBusy(job, false);
        if (!reply.ok) {
          askOrReport(reply.error, job);
          return;
        }
        // Connected, but the passphrase the user asked to keep was not kept: say so, once.
        const notRemembered = (Array.isArray(reply.value) ? reply.value : [reply.value]).find((entry) => entry.notRemembered)?.notRemembered;
        if (notRemembered) feedback.getState().showNotice(notRememberedNotice(notRemembered));
      },
      disconnect: async (job) => {
        setBusy(job, true);
        const reply = job.targetId
          ? await stopTarget.send({ profileId: job.profileId, targetId: job.targetId })
          : await stopProfile.send({ profileId: job.profileId });
        setBusy(job, false);
        if (!reply.ok) feedback.getState().showError(reply.error);
      },
      trust: async () => {
        const dialog = get().dialog;
        if (dialog?.kind !== 'hostKey') return;
        set({ dialog: undefined });
        if (await hostKeys.getState().trust(dialog.error)) await get().connect(dialog.retry);
      },
      unlock: async (unlock) => {
        const dialog = get().dialog;
        if (dialog?.kind !== 'passphrase') return;
        set({ dialog: undefined });
        await get().connect(dialog.retry, unlock);
      },
      dismiss: () => set({ dialog: undefined }),
      retryNow: async (job) => {
        const reply = await retryNow.send({ profileId: job.profileId, targetId: job.targetId });
        if (!reply.ok) feedback.getState().showError(reply.error);
      },
      usePort: async (job, port) => {
        const profile = profiles.getState().profiles.find((entry) => entry.id === job.profileId);
        const target = profile?.targets.find((entry) => entry.id === job.targetId);
        if (!profile || !target) return;
        setBusy(job, true);
        const moved = await updateTarget.send({ profileId: profile.id, revision: profiles.getState().revisions[profile.id] ?? 0, target: { ...target, localPort: port } });
        setBusy(job, false);
        if (!moved.ok) {
          // Refused (another window changed the profile, or the port was taken meanwhile): said on the row.
          set({ errors: { ...get().errors, [jobKey(job)]: moved.error } });
          return;
        }
        await get().connect(job);
      },
      dismissError: (job) => set({ errors: Object.fromEntries(Object.entries(get().errors).filter(([key]) => key !== jobKey(job))) }),
      clearErrors: () => set({ errors: {} }),
    };
  });
}
