import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { Reply, ResponseOf } from '../../shared/contract';
import type { Profile } from '../../shared/model/profile';
import type { DoctorRun, DoctorState } from './doctor';
import type { Unlock } from '../sshQuestions';
import { remoteCall } from './remoteCall';

/** The key item's live check: what keys:inspect said about the profile's key file, and when. */
export type KeyCheck = Reply<ResponseOf<'keys:inspect'>> & { at: number };

/** One localStorage entry per profile; the value is when the user ticked it. */
const SENT_PREFIX = 'jumpgate.checklist.publicKeySent.';

export interface ChecklistState {
  /** The latest key inspection per profile id (the other items come from the doctor store). */
  keys: Record<string, KeyCheck>;
  /** Profiles whose "Check now" is in flight. */
  checking: Record<string, true>;
  /** "Public key sent to the administrator", the one item the user ticks: profile id -> when (ISO). */
  sent: Record<string, string>;
  /**
   * Verify every live item at once: the ordered doctor, and the key file itself. `unlock`: the
   * key's passphrase the user just typed, as Connect takes it. Resolves with the doctor's run.
   */
  check(profile: Profile, unlock?: Unlock): Promise<DoctorRun>;
  setSent(profileId: string, sent: boolean): void;
}

function storedTicks(): Record<string, string> {
  const ticks: Record<string, string> = {};
  if (typeof localStorage === 'undefined') return ticks;
  for (let index = 0; index < localStorage.length; index++) {
    const name = localStorage.key(index);
    if (name?.startsWith(SENT_PREFIX)) ticks[name.slice(SENT_PREFIX.length)] = localStorage.getItem(name) ?? '';
  }
  return ticks;
}

/**
 * The new starter checklist (issue #6): every item except the user's own tick
 * is verified by a live check. The tick survives reloads in localStorage,
 * per profile; the live results are only as fresh as the last "Check now".
 */
export function createChecklistStore(bridge: JumpgateBridge, doctor: StoreApi<DoctorState>) {
  const inspectKey = remoteCall(bridge, 'keys:inspect');
  return create<ChecklistState>()((set, get) => ({
    keys: {},
    checking: {},
    sent: storedTicks(),
    check: async (profile, unlock) => {
      set({ checking: { ...get().checking, [profile.id]: true } });
      const auth = profile.jumpHost.auth;
      const [key, run] = await Promise.all([
        // The public half only: the line to send needs no passphrase where the file keeps it in the clear (issue #13).
        auth.kind === 'key' ? inspectKey.send({ path: auth.keyPath, publicOnly: true }) : Promise.resolve(undefined),
        doctor.getState().run({ profileId: profile.id }, unlock ? { unlock } : {}),
      ]);
      const keys = { ...get().keys };
      if (key) keys[profile.id] = { ...key, at: Date.now() };
      else delete keys[profile.id];
      const checking = { ...get().checking };
      delete checking[profile.id];
      set({ keys, checking });
      return run;
    },
    setSent: (profileId, sent) => {
      const ticks = { ...get().sent };
      if (sent) {
        ticks[profileId] = new Date().toISOString();
        localStorage.setItem(SENT_PREFIX + profileId, ticks[profileId]);
      } else {
        delete ticks[profileId];
        localStorage.removeItem(SENT_PREFIX + profileId);
      }
      set({ sent: ticks });
    },
  }));
}
