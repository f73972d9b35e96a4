import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import type { DbTarget, Profile } from '../../shared/model/profile';
import { withTarget } from '../awsTargets';
import type { FeedbackState } from './feedback';
import type { ProfilesState } from './profiles';
import { NOT_ASKED, remoteCall, type Remote } from './remoteCall';

export type Discovery = ResponseOf<'aws:listDatabases'>;

/** One profile's Endpoints screen: the region asked about and what RDS answered. */
export interface EndpointsEntry extends Remote<Discovery> {
  /** The region last listed, or the one chosen for the next list. */
  region: string | undefined;
}

export interface EndpointsState {
  byProfile: Record<string, EndpointsEntry>;
  /** List RDS instances and Aurora clusters in `region` (the profile's own when absent). */
  list(profileId: string, region?: string): Promise<void>;
  chooseRegion(profileId: string, region: string): void;
  /** Append `target` to the profile and save it; false (with the problem shown) when it could not be saved. */
  addTarget(profile: Profile, target: DbTarget): Promise<{ ok: true } | { ok: false; problem: string }>;
}

const EMPTY: EndpointsEntry = { ...NOT_ASKED, region: undefined };

export function endpointsEntry(state: Pick<EndpointsState, 'byProfile'>, profileId: string): EndpointsEntry {
  return state.byProfile[profileId] ?? EMPTY;
}

/**
 * The Endpoints screen's data, per profile, so it survives switching tabs:
 * fetched only when the user asks (List databases), never on render.
 */
export function createEndpointsStore(bridge: JumpgateBridge, { profiles, feedback }: { profiles: StoreApi<ProfilesState>; feedback: StoreApi<FeedbackState> }) {
  const listDatabases = remoteCall(bridge, 'aws:listDatabases');

  return create<EndpointsState>()((set, get) => {
    const patch = (profileId: string, change: Partial<EndpointsEntry>): void =>
      set({ byProfile: { ...get().byProfile, [profileId]: { ...endpointsEntry(get(), profileId), ...change } } });

    return {
      byProfile: {},
      chooseRegion: (profileId, region) => patch(profileId, { region }),
      list: async (profileId, region) => {
        feedback.getState().clear();
        if (region) patch(profileId, { region });
        await listDatabases.track(profileId, { profileId, ...(region ? { region } : {}) }, (change) =>
          // The region RDS actually answered for is the one the list shows.
          patch(profileId, change.value ? { ...change, region: change.value.region } : change),
        );
      },
      addTarget: async (profile, target) => {
        // The freshest copy of the profile: another window or tab may have changed it since this screen rendered.
        const all = profiles.getState().profiles;
        const current = all.find((entry) => entry.id === profile.id) ?? profile;
        const checked = withTarget(current, target, all);
        if ('problem' in checked) return { ok: false, problem: checked.problem };
        // Checked here to say it beside the form at once; the service checks again against what is saved.
        const reply = await profiles.getState().addTarget(current.id, target);
        if (!reply.ok) {
          feedback.getState().showError(reply.error);
          return { ok: false, problem: reply.error.message };
        }
        feedback.getState().showNotice(`Added ${target.name} as a target on 127.0.0.1:${target.localPort}. Connect it from the Targets tab.`);
        return { ok: true };
      },
    };
  });
}
