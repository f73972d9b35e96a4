import type { ErrorCode, ErrorInfo } from '../shared/model/errors';
import type { Profile } from '../shared/model/profile';
import type { TunnelState } from '../shared/model/tunnelState';
import type { DoctorReport } from './stores/doctor';

/**
 * The route a connection takes, as the profile page draws it: this computer -> (its IP allowed,
 * port 22 reachable) -> the jump box (host key, login) -> (the forward) -> each database
 * (greeting, login). Every hop takes the newest word on it: a tunnel's live state, or the
 * doctor's last run, whichever is later, so "where does it break" is seen, not read.
 */
export type HopStatus = 'ok' | 'bad' | 'waiting' | 'unknown';

export interface Hop {
  status: HopStatus;
  /** What decided it, in words ("host key changed", "open", "not checked yet"). */
  why: string;
}

export interface Route {
  computer: Hop;
  /** This computer to the jump box: the IP allowed in its security group, TCP to its SSH port. */
  toJumpBox: Hop;
  jumpBox: Hop;
  /** Per target: the jump box to the database (the forward) and the database itself. */
  targets: Array<{ id: string; name: string; toDatabase: Hop; database: Hop }>;
}

type HopName = 'computer' | 'toJumpBox' | 'jumpBox' | 'toDatabase' | 'database';

/** Which hop an error is about: where the user has to look. */
const HOP_OF_CODE: Partial<Record<ErrorCode, HopName>> = {
  KEY_NOT_FOUND: 'computer',
  KEY_UNREADABLE: 'computer',
  KEY_KDF_TOO_EXPENSIVE: 'computer',
  PASSPHRASE_REQUIRED: 'computer',
  BAD_PASSPHRASE: 'computer',
  AGENT_UNAVAILABLE: 'computer',
  PORT_IN_USE: 'computer',
  IP_NOT_ALLOWED: 'toJumpBox',
  JUMP_HOST_UNREACHABLE: 'toJumpBox',
  JUMP_HOST_TIMEOUT: 'toJumpBox',
  JUMP_HOST_LOST: 'toJumpBox',
  HOST_KEY_UNKNOWN: 'jumpBox',
  HOST_KEY_MISMATCH: 'jumpBox',
  HOST_KEY_REVOKED: 'jumpBox',
  HOST_KEY_NOT_CONFIRMED: 'jumpBox',
  AUTH_FAILED: 'jumpBox',
  SSH_ALGORITHM_LEGACY: 'jumpBox',
  ENDPOINT_UNREACHABLE: 'toDatabase',
  ENDPOINT_UNRESOLVED: 'toDatabase',
  DB_LOGIN_FAILED: 'database',
};

/** The doctor's steps on each hop (AWS steps are not on the route: they decide what the route is). */
const HOP_OF_CHECK: Partial<Record<DoctorReport['checks'][number]['id'], HopName>> = {
  key: 'computer',
  'ip-allowed': 'toJumpBox',
  tcp: 'toJumpBox',
  'host-key': 'jumpBox',
  auth: 'jumpBox',
  forward: 'toDatabase',
  'db-greeting': 'database',
  'db-login': 'database',
};

const UNKNOWN: Hop = { status: 'unknown', why: 'not checked yet' };

function waitingOrBad(error: ErrorInfo): HopStatus {
  // A question (a passphrase, a first-seen host key) waits for the user; it is not a broken hop.
  return error.code === 'PASSPHRASE_REQUIRED' || error.code === 'HOST_KEY_UNKNOWN' ? 'waiting' : 'bad';
}

/** What the doctor's run says about each hop: failed if a step on it failed, passed if its steps that ran passed. */
function doctorHops(report: DoctorReport): Partial<Record<HopName, Hop>> {
  const hops: Partial<Record<HopName, Hop>> = {};
  for (const check of report.checks) {
    const hop = HOP_OF_CHECK[check.id];
    if (!hop || check.status === 'skip' || hops[hop]?.status === 'bad' || hops[hop]?.status === 'waiting') continue;
    hops[hop] = check.status === 'pass' ? { status: 'ok', why: `doctor: ${check.title} passed` } : { status: check.error ? waitingOrBad(check.error) : 'bad', why: `doctor: ${check.error?.message ?? check.detail}` };
  }
  return hops;
}

/** What a tunnel's live state says about each hop, and when it said it. */
function liveHops(state: TunnelState): { at: number; hops: Partial<Record<HopName, Hop>> } | undefined {
  switch (state.status) {
    case 'open': {
      const through: Hop = { status: 'ok', why: 'tunnel open' };
      return {
        at: state.openedAt,
        hops: {
          computer: through,
          toJumpBox: through,
          jumpBox: through,
          toDatabase: state.lastForwardError ? { status: 'bad', why: state.lastForwardError.message } : through,
        },
      };
    }
    case 'reconnecting':
      return { at: state.nextRetryAt, hops: { computer: { status: 'ok', why: 'tunnel holds its port' }, toJumpBox: { status: 'bad', why: `reconnecting: ${state.lastError.message}` } } };
    case 'failed': {
      const hop = HOP_OF_CODE[state.error.code];
      return hop ? { at: state.failedAt, hops: { [hop]: { status: waitingOrBad(state.error), why: state.error.message } } } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The route of `profile` from its targets' live states and the doctor's latest run (with the
 * time it ran and the target it checked; absent target = the first).
 */
export function routeOf(profile: Profile, stateOf: (targetId: string) => TunnelState, doctor: { at: number; targetId?: string | undefined; report?: DoctorReport | undefined } | undefined): Route {
  const fromDoctor = doctor?.report ? doctorHops(doctor.report) : {};
  const doctorTarget = doctor?.targetId ?? profile.targets[0]?.id;
  // The shared hops (computer, jump box) take the newest word from any target's tunnel or the doctor.
  const shared: Record<'computer' | 'toJumpBox' | 'jumpBox', { at: number; hop: Hop }> = {
    computer: { at: fromDoctor.computer ? (doctor?.at ?? 0) : -1, hop: fromDoctor.computer ?? UNKNOWN },
    toJumpBox: { at: fromDoctor.toJumpBox ? (doctor?.at ?? 0) : -1, hop: fromDoctor.toJumpBox ?? UNKNOWN },
    jumpBox: { at: fromDoctor.jumpBox ? (doctor?.at ?? 0) : -1, hop: fromDoctor.jumpBox ?? UNKNOWN },
  };
  const targets = profile.targets.map((target) => {
    const live = liveHops(stateOf(target.id));
    for (const name of ['computer', 'toJumpBox', 'jumpBox'] as const) {
      const hop = live?.hops[name];
      if (hop && live && live.at >= shared[name].at) shared[name] = { at: live.at, hop };
    }
    const own = (name: 'toDatabase' | 'database'): Hop => {
      const fromRun = target.id === doctorTarget ? fromDoctor[name] : undefined;
      const liveHop = live?.hops[name];
      if (liveHop && (!fromRun || (live?.at ?? 0) >= (doctor?.at ?? 0))) return liveHop;
      return fromRun ?? UNKNOWN;
    };
    return { id: target.id, name: target.name, toDatabase: own('toDatabase'), database: own('database') };
  });
  return { computer: shared.computer.hop, toJumpBox: shared.toJumpBox.hop, jumpBox: shared.jumpBox.hop, targets };
}
