import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';
import type { Profile } from '../../shared/model/profile';
import type { FeedbackState } from './feedback';
import { remoteCall } from './remoteCall';

export type SshConfigHosts = ResponseOf<'profiles:importSshConfig'>;
export type ImportPlan = ResponseOf<'profiles:planImport'>;

export interface ProfilesState {
  seq: number;
  profiles: Profile[];
  /** Why the list could not be loaded as it was (PROFILES_CORRUPT, or no connection to Jumpgate). */
  problem: ErrorInfo | undefined;
  selectedId: string | undefined;
  select(id: string | undefined): void;
  /** Follow profiles:changed, then read the list once. Returns the unsubscribe. */
  init(): Promise<() => void>;
  /** Save the profile as the editor built it and select it; undefined (with the refusal shown) when it was not saved. */
  save(profile: Profile): Promise<Profile | undefined>;
  /** Log in to the profile's jump box, and every ProxyJump hop that used its old key, with `keyPath`. */
  attachKey(profile: Profile, keyPath: string): Promise<void>;
  remove(profile: Profile): Promise<void>;
  /** Copy the profile under `name` and select the copy. */
  duplicate(profile: Profile, name: string): Promise<void>;
  /** The hosts of ~/.ssh/config; undefined (with the error shown) when it could not be read. */
  readSshConfig(): Promise<SshConfigHosts | undefined>;
  /** The team file of every profile; undefined (with the error shown) when it could not be made. */
  exportTeamFile(): Promise<string | undefined>;
  /** What importing `text` would add and change, saving nothing. */
  planImport(text: string): Promise<ImportPlan | undefined>;
  /** Import `text` as previewed in `plan`; false (with the error shown) when nothing was imported. */
  applyImport(text: string, plan: ImportPlan): Promise<boolean>;
}

/** The saved profiles, mirrored from the service, and every profile change a screen asks for. */
export function createProfilesStore(bridge: JumpgateBridge, feedback: StoreApi<FeedbackState>) {
  const list = remoteCall(bridge, 'profiles:list');
  const saveProfile = remoteCall(bridge, 'profiles:save');
  const deleteProfile = remoteCall(bridge, 'profiles:delete');
  const duplicateProfile = remoteCall(bridge, 'profiles:duplicate');
  const importSshConfig = remoteCall(bridge, 'profiles:importSshConfig');
  const exportProfiles = remoteCall(bridge, 'profiles:export');
  const planImport = remoteCall(bridge, 'profiles:planImport');
  const applyImport = remoteCall(bridge, 'profiles:applyImport');
  const { showError, showNotice } = feedback.getState();

  return create<ProfilesState>()((set, get) => ({
    seq: 0,
    profiles: [],
    problem: undefined,
    selectedId: undefined,
    select: (id) => set({ selectedId: id }),
    init: async () => {
      const unsubscribe = bridge.on('profiles:changed', (event) => {
        if (event.seq <= get().seq) return;
        // A deleted profile cannot stay selected; fall back to the first one.
        const selectedId = event.profiles.some((profile) => profile.id === get().selectedId) ? get().selectedId : event.profiles[0]?.id;
        set({ seq: event.seq, profiles: event.profiles, selectedId });
      });
      const reply = await list.send({});
      if (!reply.ok) set({ problem: reply.error });
      else if (reply.value.seq >= get().seq) {
        set({ seq: reply.value.seq, profiles: reply.value.profiles, problem: reply.value.problem, selectedId: get().selectedId ?? reply.value.profiles[0]?.id });
      }
      return unsubscribe;
    },
    save: async (profile) => {
      const reply = await saveProfile.send({ profile });
      if (!reply.ok) {
        showError(reply.error);
        return undefined;
      }
      get().select(reply.value.id);
      return reply.value;
    },
    attachKey: async (profile, keyPath) => {
      const reply = await saveProfile.send({ profile: withKey(profile, keyPath) });
      if (reply.ok) showNotice(`${profile.name} now logs in with ${keyPath}.`);
      else showError(reply.error);
    },
    remove: async (profile) => {
      const reply = await deleteProfile.send({ id: profile.id });
      if (reply.ok) showNotice(`Deleted ${profile.name}.`);
      else showError(reply.error);
    },
    duplicate: async (profile, name) => {
      const reply = await duplicateProfile.send({ id: profile.id, name });
      if (reply.ok) get().select(reply.value.id);
      else showError(reply.error);
    },
    readSshConfig: async () => {
      const reply = await importSshConfig.send({});
      if (reply.ok) return reply.value;
      showError(reply.error);
      return undefined;
    },
    exportTeamFile: async () => {
      const reply = await exportProfiles.send({});
      if (reply.ok) return reply.value.text;
      showError(reply.error);
      return undefined;
    },
    planImport: async (text) => {
      const reply = await planImport.send({ text });
      if (reply.ok) return reply.value;
      showError(reply.error);
      return undefined;
    },
    applyImport: async (text, plan) => {
      const reply = await applyImport.send({ text });
      if (!reply.ok) {
        showError(reply.error);
        return false;
      }
      showNotice(`Imported: ${plan.add.length} added, ${plan.change.length} changed.`);
      return true;
    },
  }));
}

/** The profile with its jump box (and every ProxyJump hop that used the old key) logging in with this key. */
function withKey(profile: Profile, keyPath: string): Profile {
  const auth = { kind: 'key' as const, keyPath };
  const before = profile.jumpHost.auth;
  const sameAsBefore = (hop: Profile['jumpHost']['via'][number]) => JSON.stringify(hop.auth) === JSON.stringify(before);
  return { ...profile, jumpHost: { ...profile.jumpHost, auth, via: profile.jumpHost.via.map((hop) => (sameAsBefore(hop) ? { ...hop, auth } : hop)) } };
}
