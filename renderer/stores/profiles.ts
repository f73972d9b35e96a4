import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';
import type { DbTarget, Profile } from '../../shared/model/profile';
import type { FeedbackState } from './feedback';
import { remoteCall } from './remoteCall';

export type SshConfigHosts = ResponseOf<'profiles:importSshConfig'>;
export type ImportPlan = ResponseOf<'profiles:planImport'>;

/** What a profile change came to: saved (with the revision to write against next), or refused. */
export type ProfileWrite = { ok: true; profile: Profile; revision: number } | { ok: false; error: ErrorInfo };

export interface ProfilesState {
  seq: number;
  profiles: Profile[];
  /** The whole set's revision (an import names it) and each profile's (a change to it names that). */
  revision: number;
  revisions: Record<string, number>;
  /** Why the list could not be loaded as it was (PROFILES_CORRUPT, or no connection to Jumpgate). */
  problem: ErrorInfo | undefined;
  selectedId: string | undefined;
  select(id: string | undefined): void;
  /** Follow profiles:changed, then read the list once. Returns the unsubscribe. */
  init(): Promise<() => void>;
  /** Read the saved profiles again (after a PROFILES_CONFLICT, say). */
  reload(): Promise<void>;
  /** Read them again whatever the seq: the service was lost, and may have restarted (its events number from the start). */
  resync(): Promise<void>;
  /**
   * Save the profile as the editor built it, based on the revision the editor opened
   * (undefined for a new profile), and select it. A refusal is returned, not shown:
   * the editor shows a conflict beside the form; other refusals go to the feedback bar too.
   */
  save(profile: Profile, revision: number | undefined): Promise<ProfileWrite>;
  /** Log in to the profile's jump box, and every ProxyJump hop that used its old key, with `keyPath`. */
  attachKey(profile: Profile, keyPath: string): Promise<void>;
  /** Add a target to a profile as it is now; the refusal (a port in use, a conflict) when it was not added. */
  addTarget(profileId: string, target: DbTarget): Promise<ProfileWrite>;
  /** Delete the profile at the revision this window has; false (with the error shown) when refused. */
  remove(profile: Profile): Promise<boolean>;
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
  const attachKey = remoteCall(bridge, 'profiles:attachKey');
  const addTarget = remoteCall(bridge, 'profiles:addTarget');
  const deleteProfile = remoteCall(bridge, 'profiles:delete');
  const duplicateProfile = remoteCall(bridge, 'profiles:duplicate');
  const importSshConfig = remoteCall(bridge, 'profiles:importSshConfig');
  const exportProfiles = remoteCall(bridge, 'profiles:export');
  const planImport = remoteCall(bridge, 'profiles:planImport');
  const applyImport = remoteCall(bridge, 'profiles:applyImport');
  const { showError, showNotice } = feedback.getState();
  // One-click changes are based on the revision this window has now; if another window or the
  // CLI changed the profile first, the service refuses with PROFILES_CONFLICT and the window reloads.
  const revisionOf = (profileId: string): number => store.getState().revisions[profileId] ?? 0;

  const store = create<ProfilesState>()((set, get) => ({
    seq: 0,
    profiles: [],
    revision: 0,
    revisions: {},
    problem: undefined,
    selectedId: undefined,
    select: (id) => set({ selectedId: id }),
    init: async () => {
      const unsubscribe = bridge.on('profiles:changed', (event) => {
        if (event.seq <= get().seq) return;
        // A deleted profile cannot stay selected; fall back to the first one.
        const selectedId = event.profiles.some((profile) => profile.id === get().selectedId) ? get().selectedId : event.profiles[0]?.id;
        set({ seq: event.seq, profiles: event.profiles, revision: event.revision, revisions: event.revisions, selectedId });
      });
      await get().reload();
      return unsubscribe;
    },
    resync: async () => {
      set({ seq: -1 });
      await get().reload();
    },
    reload: async () => {
      const reply = await list.send({});
      if (!reply.ok) set({ problem: reply.error });
      else if (reply.value.seq >= get().seq) {
        const { seq, profiles, revision, revisions, problem } = reply.value;
        const selectedId = profiles.some((profile) => profile.id === get().selectedId) ? get().selectedId : profiles[0]?.id;
        set({ seq, profiles, revision, revisions, problem, selectedId });
      }
    },
    save: async (profile, revision) => {
      const reply = await saveProfile.send({ profile, ...(revision === undefined ? {} : { revision }) });
      if (!reply.ok) {
        if (reply.error.code !== 'PROFILES_CONFLICT') showError(reply.error);
        return { ok: false, error: reply.error };
      }
      get().select(reply.value.profile.id);
      return { ok: true, ...reply.value };
    },
    attachKey: async (profile, keyPath) => {
      const reply = await attachKey.send({ profileId: profile.id, revision: revisionOf(profile.id), keyPath });
      if (reply.ok) showNotice(`${profile.name} now logs in with ${keyPath}.`);
      else showError(reply.error);
    },
    addTarget: async (profileId, target) => {
      const reply = await addTarget.send({ profileId, revision: revisionOf(profileId), target });
      return reply.ok ? { ok: true, ...reply.value } : { ok: false, error: reply.error };
    },
    remove: async (profile) => {
      const reply = await deleteProfile.send({ id: profile.id, revision: revisionOf(profile.id) });
      if (reply.ok) showNotice(`Deleted ${profile.name}.`);
      else showError(reply.error);
      return reply.ok;
    },
    duplicate: async (profile, name) => {
      const reply = await duplicateProfile.send({ id: profile.id, name });
      if (reply.ok) get().select(reply.value.profile.id);
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
      const reply = await applyImport.send({ text, revision: plan.revision });
      if (!reply.ok) {
        showError(reply.error);
        return false;
      }
      showNotice(`Imported: ${plan.add.length} added, ${plan.change.length} changed.`);
      return true;
    },
  }));
  return store;
}
