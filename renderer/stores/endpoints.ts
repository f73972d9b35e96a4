import { create } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';
import type { DbTarget, Profile } from '../../shared/model/profile';
import { withTarget } from '../awsTargets';
import { useFeedback } from './feedback';
import { useProfiles } from './profiles';

export type Discovery = ResponseOf<'aws:listDatabases'>;

/** One profile's Endpoints screen: the region asked about and what RDS answered. */
export interface EndpointsEntry {
  /** The region last listed, or the one chosen for the next list. */
  region: string | undefined;
  loading: boolean;
  result: Discovery | undefined;
  error: ErrorInfo | undefined;
}

interface EndpointsState {
  byProfile: Record<string, EndpointsEntry>;
  /** List RDS instances and Aurora clusters in `region` (the profile's own when absent). */
  list(bridge: JumpgateBridge, profileId: string, region?: string): Promise<void>;
  chooseRegion(profileId: string, region: string): void;
  /** Append `target` to the profile and save it; false (with the problem shown) when it could not be saved. */
  addTarget(bridge: JumpgateBridge, profile: Profile, target: DbTarget): Promise<{ ok: true } | { ok: false; problem: string }>;
}

const EMPTY: EndpointsEntry = { region: undefined, loading: false, result: undefined, error: undefined };

export function endpointsEntry(state: Pick<EndpointsState, 'byProfile'>, profileId: string): EndpointsEntry {
  return state.byProfile[profileId] ?? EMPTY;
}

/**
 * The Endpoints screen's data, per profile, so it survives switching tabs:
 * fetched only when the user asks (List databases), never on render.
 */
export const useEndpoints = create<EndpointsState>((set, get) => {
  const patch = (profileId: string, change: Partial<EndpointsEntry>): void =>
    set({ byProfile: { ...get().byProfile, [profileId]: { ...endpointsEntry(get(), profileId), ...change } } });

  return {
    byProfile: {},
    chooseRegion: (profileId, region) => patch(profileId, { region }),
    list: async (bridge, profileId, region) => {
      useFeedback.getState().clear();
      patch(profileId, { loading: true, error: undefined, ...(region ? { region } : {}) });
      const reply = await bridge.invoke('aws:listDatabases', { profileId, ...(region ? { region } : {}) });
      if (reply.ok) patch(profileId, { loading: false, result: reply.value, region: reply.value.region });
      else patch(profileId, { loading: false, error: reply.error });
    },
    addTarget: async (bridge, profile, target) => {
      // The freshest copy of the profile: another window or tab may have changed it since this screen rendered.
      const profiles = useProfiles.getState().profiles;
      const current = profiles.find((entry) => entry.id === profile.id) ?? profile;
      const checked = withTarget(current, target, profiles);
      if ('problem' in checked) return { ok: false, problem: checked.problem };
      const reply = await bridge.invoke('profiles:save', { profile: checked.profile });
      if (!reply.ok) {
        useFeedback.getState().showError(reply.error);
        return { ok: false, problem: reply.error.message };
      }
      useFeedback.getState().showNotice(`Added ${target.name} as a target on 127.0.0.1:${target.localPort}. Connect it from the Targets tab.`);
      return { ok: true };
    },
  };
});
