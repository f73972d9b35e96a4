import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';

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

interface DoctorState {
  /** The latest run per profile id. */
  runs: Record<string, DoctorRun>;
  /** Profiles whose doctor is running now. */
  running: Record<string, true>;
  /** The failed connect the doctor was last started for, so the error note can point at what it found. */
  connectFailure: { error: ErrorInfo; profileId: string; targetId?: string; run?: DoctorRun } | undefined;
  /** Run the ordered checks for a profile (and target); `after` is the connect error that prompted it. */
  run(bridge: JumpgateBridge, job: { profileId: string; targetId?: string }, after?: ErrorInfo): Promise<DoctorRun>;
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
export const useDoctor = create<DoctorState>((set, get) => {
  // A newer run for the same profile wins, even if an older one answers later.
  const latest = new Map<string, number>();
  let counter = 0;

  return {
    runs: {},
    running: {},
    connectFailure: undefined,
    run: async (bridge, job, after) => {
      const token = ++counter;
      latest.set(job.profileId, token);
      set({ running: { ...get().running, [job.profileId]: true }, ...(after ? { connectFailure: { ...job, error: after } } : {}) });
      const reply = await bridge.invoke('diagnostics:run', { profileId: job.profileId, ...(job.targetId ? { targetId: job.targetId } : {}) });
      const run: DoctorRun = {
        profileId: job.profileId,
        ...(job.targetId ? { targetId: job.targetId } : {}),
        at: Date.now(),
        ...(after ? { after } : {}),
        ...(reply.ok ? { report: reply.value } : { error: reply.error }),
      };
      if (after && get().connectFailure?.error === after) set({ connectFailure: { ...job, error: after, run } });
      if (latest.get(job.profileId) !== token) return run;
      const running = { ...get().running };
      delete running[job.profileId];
      set({ runs: { ...get().runs, [job.profileId]: run }, running });
      return run;
    },
  };
});
