import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import type { FeedbackState } from './feedback';
import { NOT_ASKED, remoteCall, type Remote } from './remoteCall';

export type TeamStatus = ResponseOf<'team:status'>;
export type PublishPlan = ResponseOf<'team:planPublish'>;

/** A publish as previewed: what it changes at the source, planned against the version there now. */
export interface PublishPreview {
  planned: PublishPlan;
  profileIds: string[];
  region?: string;
}
export type TeamFetch = ResponseOf<'team:fetch'>;
export type TeamDiscovery = ResponseOf<'team:discover'>;
export type TeamFollowed = ResponseOf<'team:follow'>;

/** A fetched version of a team's profiles, shown before it is applied (the follow takes the key field as it is then). */
export interface TeamPreview {
  fetched: TeamFetch;
}

export interface TeamSourceInput {
  source: string;
  region?: string;
  keyPath?: string;
}

export interface TeamState {
  /** The sources followed (or fetched), their versions, ages and last failure. */
  status: Remote<TeamStatus>;
  preview: TeamPreview | undefined;
  /** A fetch or a follow is in flight. */
  busy: boolean;
  /** The seq of the last team:changed event applied. */
  seq: number;
  /** Follow team:changed (a fetch in the background found a new version, or failed) once at start-up; returns the unsubscribe. */
  init(): () => void;
  loadStatus(): Promise<void>;
  /** Fetch a source and show what following it changes; nothing is applied. */
  fetchPreview(input: TeamSourceInput): Promise<void>;
  /**
   * Apply the version previewed (refused if a newer one was fetched, or the profiles changed, since),
   * logging in with `keyPath` from now on (the key field as it is now; none: each profile keeps its
   * login). What was followed, or undefined (the error shown).
   */
  follow(keyPath: string | undefined): Promise<TeamFollowed | undefined>;
  /**
   * The teams published under /jumpgate in Parameter Store (issue #16), for the person to pick from.
   * A refusal or missing credentials is kept here to be said quietly: typing the source still works.
   */
  discovery: Remote<TeamDiscovery>;
  discover(region?: string): Promise<TeamDiscovery | undefined>;
  discard(): void;
  publishPreview: PublishPreview | undefined;
  /** What publishing these profiles to a source would change there; nothing is written. */
  planPublish(input: { source: string; region?: string; profileIds: string[] }): Promise<void>;
  /** Publish as previewed, over the version the preview saw (a newer one there now is refused). */
  publish(): Promise<boolean>;
  discardPublish(): void;
}

/**
 * Team profiles published in AWS (issue #16), as the Team profiles page shows them: the sources
 * followed, and a fetched version's changes previewed before the person applies them. The rules
 * (what is theirs, revisions, host keys) are the service's; this only asks and shows.
 */
export function createTeamStore(bridge: JumpgateBridge, feedback: StoreApi<FeedbackState>) {
  const status = remoteCall(bridge, 'team:status');
  const fetchSource = remoteCall(bridge, 'team:fetch');
  const followSource = remoteCall(bridge, 'team:follow');
  const discoverSources = remoteCall(bridge, 'team:discover');
  const planPublish = remoteCall(bridge, 'team:planPublish');
  const publish = remoteCall(bridge, 'team:publish');
  const { showError, showNotice } = feedback.getState();

  const store = create<TeamState>()((set, get) => ({
    status: NOT_ASKED,
    preview: undefined,
    busy: false,
    seq: 0,
    discovery: NOT_ASKED,
    discover: async (region) => {
      const reply = await discoverSources.track('', region ? { region } : {}, (change) => set({ discovery: { ...get().discovery, ...change } }));
      return reply.ok && reply.latest ? reply.value : undefined;
    },
    init: () =>
      bridge.on('team:changed', (event) => {
        if (event.seq <= get().seq) return;
        set({ seq: event.seq, status: { pending: false, value: event.status, error: undefined } });
      }),
    loadStatus: async () => {
      await status.track('', {}, (change) => set({ status: { ...get().status, ...change } }));
    },
    fetchPreview: async ({ source, region, keyPath }) => {
      set({ busy: true, preview: undefined });
      const reply = await fetchSource.send({ source: source.trim(), ...(region ? { region } : {}), ...(keyPath ? { keyPath } : {}) });
      set({ busy: false });
      // A failed fetch is kept with a known source (its age and why): the list shows it too.
      void get().loadStatus();
      if (!reply.ok) return showError(reply.error);
      set({ preview: { fetched: reply.value } });
    },
    follow: async (keyPath) => {
      const preview = get().preview;
      if (!preview) return undefined;
      const { fetched } = preview;
      set({ busy: true });
      const reply = await followSource.send({ source: fetched.source, teamRevision: fetched.teamRevision, revision: fetched.revision, ...(keyPath ? { keyPath } : {}) });
      set({ busy: false });
      void get().loadStatus();
      if (!reply.ok) {
        showError(reply.error);
        return undefined;
      }
      set({ preview: undefined });
      const pinned = reply.value.pinned.length;
      showNotice(`Following ${reply.value.source} at version ${reply.value.teamRevision}: ${reply.value.profiles.map((profile) => profile.name).join(', ') || 'no profiles'}.${pinned > 0 ? ` ${pinned} host key${pinned === 1 ? '' : 's'} pinned as published.` : ''}`);
      return reply.value;
    },
    discard: () => set({ preview: undefined }),
    publishPreview: undefined,
    planPublish: async ({ source, region, profileIds }) => {
      set({ busy: true, publishPreview: undefined });
      const reply = await planPublish.send({ source: source.trim(), profileIds, ...(region ? { region } : {}) });
      set({ busy: false });
      if (!reply.ok) return showError(reply.error);
      set({ publishPreview: { planned: reply.value, profileIds, ...(region ? { region } : {}) } });
    },
    publish: async () => {
      const preview = get().publishPreview;
      if (!preview) return false;
      const { planned, profileIds, region } = preview;
      set({ busy: true });
      const seenRevision = planned.published?.revision;
      const reply = await publish.send({ source: planned.source, profileIds, revisions: planned.revisions, ...(region ? { region } : {}), ...(seenRevision ? { seenRevision } : {}) });
      set({ busy: false });
      if (!reply.ok) {
        showError(reply.error);
        return false;
      }
      set({ publishPreview: undefined });
      showNotice(`Published ${reply.value.source}, version ${reply.value.revision}.`);
      return true;
    },
    discardPublish: () => set({ publishPreview: undefined }),
  }));
  return store;
}
