import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';
import type { Profile } from '../../shared/model/profile';
import { sshQuestionFor, type SshQuestion, type Unlock } from '../sshQuestions';
import { remoteCall } from './remoteCall';

export type DoctorReport = ResponseOf<'diagnostics:run'>;
export type DoctorCheck = DoctorReport['checks'][number];

/** One run of the doctor for a profile: what it found, or why it could not run. */
export interface DoctorRun {
  profileId: string;
  /** The target it checked; absent means the service's default (the profile's first target). */
  targetId?: string;
  /** When it finished (epoch ms). */
  at: number;
  /** The failed connect that started it; absent when the user asked for the run. */
  after?: ErrorInfo;
  report?: DoctorReport;
  /** The doctor itself could not run (the profile was deleted, say). */
  error?: ErrorInfo;
}

export interface DoctorState {
  /** The latest run per profile id. */
  runs: Record<string, DoctorRun>;
  /** Profiles whose doctor is running now. */
  running: Record<string, true>;
  /** The failed connect the doctor was last started for, so the error note can point at what it found. */
  connectFailure: { error: ErrorInfo; profileId: string; targetId?: string; run?: DoctorRun } | undefined;
  /**
   * Run the ordered checks for a profile (and target). `after`: the connect error that prompted
   * the run; `unlock`: the key's passphrase the user just typed (as Connect takes it).
   */
  run(job: { profileId: string; targetId?: string }, options?: { after?: ErrorInfo; unlock?: Unlock }): Promise<DoctorRun>;
  /**
   * "Test connection" in the editor: the same checks for the form's profile, unsaved. Not kept
   * with the saved profile's runs (the form may never be saved); undefined when a newer test
   * of the same form superseded this one.
   */
  testDraft(profile: Profile, options?: { targetId?: string; unlock?: Unlock }): Promise<DoctorRun | undefined>;
}

/**
 * What a run asks of the user before the doctor can go further, as Connect asks it (issue #13):
 * the passphrase of an encrypted key (again after a wrong one), or their word on a jump box met
 * for the first time. A changed host key is a refusal, shown on its step, never a question.
 */
export function doctorQuestionOf(report: DoctorReport | undefined, profile: Pick<Profile, 'jumpHost'>): SshQuestion | undefined {
  const step = (id: DoctorCheck['id']) => report?.checks.find((check) => check.id === id)?.error;
  const key = step('key');
  if (key && (key.code === 'PASSPHRASE_REQUIRED' || key.code === 'BAD_PASSPHRASE')) return sshQuestionFor(key, profile);
  const hostKey = step('host-key');
  // An outer ProxyJump hop's encrypted key stops the connection before the jump host's key is checked (issue #17).
  if (hostKey && (hostKey.code === 'PASSPHRASE_REQUIRED' || hostKey.code === 'BAD_PASSPHRASE' || hostKey.code === 'HOST_KEY_UNKNOWN')) return sshQuestionFor(hostKey, profile);
  return undefined;
}

/** The failing check a report points at, if any. */
export function firstFailureOf(report: DoctorReport | undefined): DoctorCheck | undefined {
  if (!report?.firstFailure) return undefined;
  return report.checks.find((check) => check.id === report.firstFailure);
}

/** "step 7 of 9": where the failing check sits in the order a connection needs them. */
export function stepOf(report: DoctorReport, check: DoctorCheck): string {
  return `step ${report.checks.indexOf(check) + 1} of ${report.checks.length}`;
}

/**
 * The doctor's results, one latest run per profile, shared by the Doctor tab,
 * the new starter checklist and the note a failed connect shows (issue #6:
 * "runs automatically when a connect fails and points at the first failing step").
 */
export function createDoctorStore(bridge: JumpgateBridge) {
  const diagnose = remoteCall(bridge, 'diagnostics:run');
  const testDraft = remoteCall(bridge, 'diagnostics:testDraft');
  return create<DoctorState>()((set, get) => ({
    runs: {},
    running: {},
    connectFailure: undefined,
    run: async (job, { after, unlock } = {}) => {
      if (after) set({ connectFailure: { ...job, error: after } });
      const request = { profileId: job.profileId, ...(job.targetId ? { targetId: job.targetId } : {}), ...(unlock ? { unlock } : {}) };
      // Keyed by profile: a newer run for the same profile wins, even if an older one answers later.
      const reply = await diagnose.track(job.profileId, request, (change) => {
        if (change.pending) set({ running: { ...get().running, [job.profileId]: true } });
      });
      const run: DoctorRun = {
        profileId: job.profileId,
        ...(job.targetId ? { targetId: job.targetId } : {}),
        at: Date.now(),
        ...(after ? { after } : {}),
        ...(reply.ok ? { report: reply.value } : { error: reply.error }),
      };
      // The note under the failed connect waits for this very run, newest or not.
      if (after && get().connectFailure?.error === after) set({ connectFailure: { ...job, error: after, run } });
      if (!reply.latest) return run;
      const running = { ...get().running };
      delete running[job.profileId];
      set({ runs: { ...get().runs, [job.profileId]: run }, running });
      return run;
    },
    testDraft: async (profile, { targetId, unlock } = {}) => {
      const reply = await testDraft.track(`draft:${profile.id}`, { profile, ...(targetId ? { targetId } : {}), ...(unlock ? { unlock } : {}) }, () => undefined);
      if (!reply.latest) return undefined;
      return { profileId: profile.id, ...(targetId ? { targetId } : {}), at: Date.now(), ...(reply.ok ? { report: reply.value } : { error: reply.error }) };
    },
  }));
}
