import type { ParsedRequestOf, ResponseOf } from '../../../shared/contract';
import { describeAge } from '../../../shared/model/age';
import { JumpgateError, toErrorInfo, type ErrorInfo } from '../../../shared/model/errors';
import { takenLocalPorts } from '../../../shared/model/localPorts';
import { DEFAULT_AWS_REGION, EXAMPLE_PROFILE_ID, type Profile } from '../../../shared/model/profile';
import { formatTeamSource, parseTeamSource, TEAM_SOURCE_FORMS, type TeamSource } from '../../../shared/model/teamSource';
import { createAwsClients, type AwsEnvironment } from '../aws/awsClients';
import { exampleProfile } from '../profiles/exampleProfile';
import type { ProfileStore } from '../profiles/profileStore';
import { exportTeamFile, parseTeamFile, planProfiles, type TeamFile, type TeamHostKey } from '../profiles/teamFile';
import { hostKeyFromBlob, sshFingerprint, type KnownHostsStore } from '../ssh/knownHosts';
import { discoverSsmTeams } from './teamDiscovery';
import { assertPortsFree, personalSettings, publishedProfile, withPersonalSettings } from './teamProfiles';
import { teamSourceStore, type TeamSourceStore } from './teamSourceStore';
import { storedError, type SourceState, type TeamStateStore } from './teamState';
import type { Scheduler } from '../secrets/clipboardGuard';

type TeamPlan = ResponseOf<'team:planPublish'>['plan'];
type HostKeyChange = TeamPlan['hostKeys'][number];
type Fetched = ResponseOf<'team:fetch'>;

export interface TeamSourcesOptions {
  profiles: ProfileStore;
  knownHosts: KnownHostsStore;
  state: TeamStateStore;
  /** How AWS is reached (moto in tests); the AWS CLI's conventions otherwise. */
  environment?: AwsEnvironment;
  /** Close the tunnels of targets a follow removes, before their profile goes. */
  stopTargets: (profileId: string, targetIds: string[]) => Promise<void>;
  /** A source's state changed (fetched, failed to fetch, followed): the service announces the new status. */
  onChange?: () => void;
  now?: () => number;
}

/** How often a running app fetches the sources it follows, unless told otherwise: a team's change reaches everyone within the quarter hour. */
export const TEAM_REFRESH_INTERVAL_MS = 15 * 60_000;

/**
 * Team profiles published in AWS and followed (issue #16). An administrator publishes some
 * profiles, as the team gets them and with the jump boxes' host keys as pinned here, to Parameter
 * Store or S3 over the version they read. Everyone else fetches, sees what would change, and
 * applies it through the profiles' revision check, their own settings re-applied over the team's
 * and the published host keys pinned. The last fetched copy is kept with why a later fetch failed.
 */
export class TeamSources {
  private readonly now: () => number;

  constructor(private readonly options: TeamSourcesOptions) {
    this.now = options.now ?? Date.now;
  }

  async planPublish(request: ParsedRequestOf<'team:planPublish'>): Promise<ResponseOf<'team:planPublish'>> {
    const { source, region, store } = this.open(request, this.defaultsOf(request.profileIds));
    const document = await this.documentOf(request.profileIds);
    const published = await store.read();
    const there: TeamFile = published ? parseTeamFile(published.text) : { profiles: [], hostKeys: [] };
    const plan = planProfiles(there.profiles, document.profiles);
    const ids = new Set(document.profiles.map((profile) => profile.id));
    return {
      source,
      region,
      revisions: Object.fromEntries(request.profileIds.map((id) => [id, this.options.profiles.revisionOf(id)])),
      ...(published ? { published: { revision: published.revision, ...(published.publishedAt !== undefined ? { publishedAt: published.publishedAt } : {}) } } : {}),
      plan: { ...plan, remove: there.profiles.filter((profile) => !ids.has(profile.id)), hostKeys: hostKeyDiff(there.hostKeys, document.hostKeys) },
    };
  }

  async publish(request: ParsedRequestOf<'team:publish'>): Promise<ResponseOf<'team:publish'>> {
    const { source, store } = this.open(request, this.defaultsOf(request.profileIds));
    // What is published is what was previewed: a profile saved here since the plan is refused, as any stale change is.
    for (const id of request.profileIds) {
      const seen = request.revisions?.[id];
      if (seen !== undefined && !this.options.profiles.isCurrent(id, seen)) {
        const profile = this.options.profiles.get(id);
        throw new JumpgateError('PROFILES_CONFLICT', `The profile "${profile.name}" was changed since the publish was previewed; nothing was published.`, {
          hint: 'Preview the publish again to see what it sends now.',
          details: { profileId: id, seenRevision: seen, currentRevision: this.options.profiles.revisionOf(id) },
        });
      }
    }
    const document = await this.documentOf(request.profileIds);
    const { revision } = await store.write(exportTeamFile(document.profiles, new Date(this.now()), document.hostKeys), request.seenRevision);
    return { source, revision };
  }

  /** The teams published under /jumpgate in Parameter Store, for a new starter to pick from (issue #16). */
  async discover(request: { region?: string | undefined; awsProfile?: string | undefined }): Promise<ResponseOf<'team:discover'>> {
    const region = request.region ?? DEFAULT_AWS_REGION;
    const clients = createAwsClients({ region, ...(request.awsProfile ? { profile: request.awsProfile } : {}) }, this.options.environment ?? {});
    return { region, sources: await discoverSsmTeams(clients) };
  }

  async fetch(request: ParsedRequestOf<'team:fetch'>): Promise<Fetched> {
    const known = await this.options.state.get(this.nameOf(request.source));
    const { source, region, awsProfile, store } = this.open(request, known ?? {});
    let copy;
    try {
      const published = await store.read();
      if (!published) {
        throw new JumpgateError('AWS_NOT_FOUND', `Nothing is published at ${source} (region ${region}).`, {
          hint: 'Check the source and region with your administrator (they publish with jumpgate team publish).',
          details: { region },
        });
      }
      parseTeamFile(published.text);
      copy = { revision: published.revision, at: this.now(), text: published.text, ...(published.publishedAt !== undefined ? { publishedAt: published.publishedAt } : {}) };
    } catch (error) {
      const info = toErrorInfo(error);
      // Kept for a source this Jumpgate knows (status says why its copy is old); a first try that fails leaves nothing behind.
      if (known) {
        await this.options.state.update(source, (current) => (current ? { ...current, lastError: { at: this.now(), error: storedError(info) } } : undefined));
        this.options.onChange?.();
      }
      throw withLastCopy(error, info, known, this.now());
    }
    const { text, revision, at } = copy;
    await this.options.state.update(source, (current) => {
      const { lastError: _solved, ...rest } = current ?? { source, region };
      return { ...rest, source, region, ...(awsProfile ? { awsProfile } : {}), fetched: { revision, at, text } };
    });
    this.options.onChange?.();
    const { plan } = await this.planFollow(text, known?.applied?.text, request.keyPath);
    return {
      source,
      region,
      teamRevision: revision,
      fetchedAt: at,
      ...(copy.publishedAt !== undefined ? { publishedAt: copy.publishedAt } : {}),
      revision: this.options.profiles.storeRevision,
      plan,
    };
  }

  async follow(request: ParsedRequestOf<'team:follow'>): Promise<ResponseOf<'team:follow'>> {
    const source = this.nameOf(request.source);
    const state = await this.options.state.get(source);
    if (!state?.fetched) {
      throw new JumpgateError('TEAM_NOT_FOLLOWED', `Jumpgate has not fetched ${source} yet.`, {
        hint: `Fetch it first to see what it changes: jumpgate team follow ${source}`,
        details: { source },
      });
    }
    const fetched = state.fetched;
    if (fetched.revision !== request.teamRevision) {
      throw new JumpgateError('TEAM_SOURCE_CONFLICT', `A newer version of ${source} (${fetched.revision}) was fetched since you saw version ${request.teamRevision}; nothing was applied.`, {
        hint: 'Look at the changes again, then follow.',
        details: { source, seenRevision: request.teamRevision, currentRevision: fetched.revision },
      });
    }
    const { plan, team } = await this.planFollow(fetched.text, state.applied?.text, request.keyPath);
    const conflict = plan.hostKeys.find((key) => key.change === 'conflict');
    if (conflict) {
      const pinned = await this.options.knownHosts.keysFor(conflict.host, conflict.port);
      const rival = pinned.find((key) => key.type === conflict.keyType);
      throw new JumpgateError(
        'HOST_KEY_MISMATCH',
        `${source} publishes the ${conflict.keyType} key ${conflict.fingerprint} for ${conflict.host}:${conflict.port}, but ${rival ? sshFingerprint(rival.blob) : 'another key'} is pinned for it in ${this.options.knownHosts.path}. Nothing was followed.`,
        {
          hint: 'Ask your administrator which key the jump box has now. Once they confirm the published one, remove the old pin (jumpgate host-key forget <profile>) and follow again.',
          details: { host: conflict.host, port: conflict.port, keyType: conflict.keyType, fingerprint: conflict.fingerprint, expected: rival ? `${rival.type} ${sshFingerprint(rival.blob)}` : 'another key', knownHostsPath: this.options.knownHosts.path },
        },
      );
    }
    for (const removed of plan.remove) await this.options.stopTargets(removed.id, removed.targets.map((target) => target.id)).catch(() => undefined);
    const teamIds = new Set(team.profiles.map((profile) => profile.id));
    const base = state.applied ? parseTeamFile(state.applied.text).profiles : undefined;
    // Made again from the saved profiles inside the store's transaction; refused if they changed since the plan.
    const saved = await this.options.profiles.replaceAll(request.revision, (current) => followedSet(current, team.profiles, base, request.keyPath).next);
    const pinned = plan.hostKeys.filter((key) => key.change === 'add');
    for (const key of team.hostKeys) await this.options.knownHosts.pin(key.host, key.port, hostKeyFromBlob(Buffer.from(key.publicKey, 'base64')));
    await this.options.state.update(source, (current) => ({ ...(current ?? state), applied: fetched }));
    this.options.onChange?.();
    return { source, teamRevision: fetched.revision, profiles: saved.filter((profile) => teamIds.has(profile.id)), removed: plan.remove.map((profile) => profile.id), pinned };
  }

  async refresh(): Promise<ResponseOf<'team:refresh'>> {
    const sources: ResponseOf<'team:refresh'>['sources'] = [];
    for (const state of await this.options.state.list()) {
      if (!state.applied) continue;
      try {
        sources.push({ source: state.source, fetch: await this.fetch({ source: state.source }) });
      } catch (error) {
        const info = toErrorInfo(error);
        const copy = state.fetched ?? state.applied;
        sources.push({ source: state.source, error: info, lastCopy: { revision: copy.revision, at: copy.at } });
      }
    }
    return { sources };
  }

  /**
   * While an app runs (the desktop app, `jumpgate serve`): fetch every followed source at start and
   * every `intervalMs`, keeping each copy and why a fetch failed. Nothing is applied: the person sees
   * what changed and applies it. With no source followed nothing is asked of AWS (and no SDK loaded).
   * Returns the stop function, which waits for a fetch in flight.
   */
  watch(intervalMs: number, scheduler: Scheduler): () => Promise<void> {
    let stopped = false;
    let running: Promise<unknown> = Promise.resolve();
    let handle: unknown;
    const round = (): void => {
      if (stopped) return;
      running = this.refresh()
        .catch(() => undefined)
        .then(() => {
          if (!stopped) handle = scheduler.setTimeout(round, intervalMs);
        });
    };
    handle = scheduler.setTimeout(round, 0);
    return async () => {
      stopped = true;
      scheduler.clearTimeout(handle);
      await running;
    };
  }

  async status(): Promise<ResponseOf<'team:status'>> {
    const sources = (await this.options.state.list()).map((state) => ({
      source: state.source,
      region: state.region,
      ...(state.awsProfile ? { awsProfile: state.awsProfile } : {}),
      followed: state.applied !== undefined,
      profileIds: state.applied ? profileIdsIn(state.applied.text) : [],
      ...(state.applied ? { applied: { revision: state.applied.revision, at: state.applied.at } } : {}),
      ...(state.fetched ? { fetched: { revision: state.fetched.revision, at: state.fetched.at } } : {}),
      ...(state.lastError ? { lastError: { at: state.lastError.at, error: state.lastError.error as ErrorInfo } } : {}),
      pending: state.fetched !== undefined && state.fetched.revision !== state.applied?.revision,
    }));
    return { now: this.now(), sources };
  }

  /** What following `text` would change here: the person's profiles with the team's over them, and the host keys. */
  private async planFollow(text: string, appliedText: string | undefined, keyPath: string | undefined): Promise<{ plan: TeamPlan; team: TeamFile }> {
    const team = parseTeamFile(text);
    const base = appliedText ? parseTeamFile(appliedText).profiles : undefined;
    const current = this.options.profiles.list();
    const { followed, removed } = followedSet(current, team.profiles, base, keyPath);
    const hostKeys: HostKeyChange[] = [];
    for (const key of team.hostKeys) {
      const blob = Buffer.from(key.publicKey, 'base64');
      const { type } = hostKeyFromBlob(blob);
      const pinned = await this.options.knownHosts.keysFor(key.host, key.port);
      const change = pinned.some((entry) => entry.blob.equals(blob)) ? 'same' : pinned.some((entry) => entry.type === type) ? 'conflict' : 'add';
      hostKeys.push({ host: key.host, port: key.port, keyType: type, fingerprint: sshFingerprint(blob), change });
    }
    return { plan: { ...planProfiles(current, followed), remove: current.filter((profile) => removed.includes(profile.id)), hostKeys }, team };
  }

  /** The team file of these profiles as published: nothing personal, and each hop's pinned host keys. */
  private async documentOf(profileIds: readonly string[]): Promise<TeamFile> {
    const profiles = profileIds.map((id) => this.options.profiles.get(id));
    const hostKeys: TeamHostKey[] = [];
    for (const profile of profiles) {
      for (const hop of [...profile.jumpHost.via, profile.jumpHost]) {
        const pinned = await this.options.knownHosts.keysFor(hop.host, hop.port);
        if (pinned.length === 0) {
          throw new JumpgateError('TEAM_HOST_KEY_UNPINNED', `No host key is pinned here for ${hop.host}:${hop.port} (profile ${profile.name}), so the team would be asked to trust it blind; nothing was published.`, {
            hint: `Pin it first: connect once and confirm its fingerprint, or jumpgate host-key trust ${profile.id} --fingerprint SHA256:...`,
            details: { host: hop.host, port: hop.port, profileId: profile.id },
          });
        }
        for (const key of pinned) {
          const publicKey = key.blob.toString('base64');
          if (!hostKeys.some((entry) => entry.host === hop.host && entry.port === hop.port && entry.publicKey === publicKey)) hostKeys.push({ host: hop.host, port: hop.port, publicKey });
        }
      }
    }
    return { profiles: profiles.map(publishedProfile), hostKeys };
  }

  /** A publish goes to the region and AWS profile of the first profile published unless told otherwise. */
  private defaultsOf(profileIds: readonly string[]): { region?: string; awsProfile?: string } {
    const first = profileIds[0] === undefined ? undefined : this.options.profiles.get(profileIds[0]);
    return first ? { region: first.aws.region, ...(first.aws.profile ? { awsProfile: first.aws.profile } : {}) } : {};
  }

  private nameOf(text: string): string {
    return formatTeamSource(parseSource(text));
  }

  private open(request: { source: string; region?: string | undefined; awsProfile?: string | undefined }, defaults: Partial<Pick<SourceState, 'region' | 'awsProfile'>>) {
    const parsed = parseSource(request.source);
    const region = request.region ?? defaults.region ?? DEFAULT_AWS_REGION;
    const awsProfile = request.awsProfile ?? defaults.awsProfile;
    const clients = createAwsClients({ region, ...(awsProfile ? { profile: awsProfile } : {}) }, this.options.environment ?? {});
    const store: TeamSourceStore = teamSourceStore(parsed, clients);
    return { source: store.name, region, awsProfile, store };
  }
}

function parseSource(text: string): TeamSource {
  const parsed = parseTeamSource(text);
  if (!parsed) {
    throw new JumpgateError('BAD_REQUEST', `"${text.slice(0, 100)}" is not a team source.`, { hint: `Give ${TEAM_SOURCE_FORMS}.`, details: { rule: 'source' } });
  }
  return parsed;
}

/**
 * The person's profiles with a team's version applied: each team profile with their own settings
 * over it, profiles the team stopped publishing (that came from it) removed, the rest untouched.
 */
export function followedSet(current: readonly Profile[], team: readonly Profile[], base: readonly Profile[] | undefined, keyPath: string | undefined): { next: Profile[]; followed: Profile[]; removed: string[] } {
  const followed = team.map((profile) =>
    withPersonalSettings(
      // Whatever a file at the source says about logins, AWS profiles or options, none of it is taken:
      // those are each person's (a crafted file must not point a follower at a key or agent socket of its choosing).
      publishedProfile(profile),
      personalSettings(
        current.find((entry) => entry.id === profile.id),
        base?.find((entry) => entry.id === profile.id),
        profile,
      ),
      keyPath,
    ),
  );
  const byId = new Map(followed.map((profile) => [profile.id, profile]));
  const removed = (base ?? []).filter((profile) => !byId.has(profile.id) && current.some((entry) => entry.id === profile.id)).map((profile) => profile.id);
  // The example a first run starts with holds the conventional ports a team uses: left as it was
  // seeded, it is only a placeholder and gives way (the plan shows it going); edited, it is the person's.
  const teamPorts = takenLocalPorts(followed);
  const example = current.find((profile) => profile.id === EXAMPLE_PROFILE_ID && JSON.stringify(profile) === JSON.stringify(exampleProfile()));
  if (example && !byId.has(example.id) && example.targets.some((target) => teamPorts.has(target.localPort))) removed.push(example.id);
  const others = current.filter((profile) => !byId.has(profile.id) && !removed.includes(profile.id));
  assertPortsFree(followed, others);
  const next = [...current.filter((profile) => !removed.includes(profile.id)).map((profile) => byId.get(profile.id) ?? profile), ...followed.filter((profile) => !current.some((entry) => entry.id === profile.id))];
  return { next, followed, removed };
}

function hostKeyDiff(before: readonly TeamHostKey[], after: readonly TeamHostKey[]): HostKeyChange[] {
  const same = (a: TeamHostKey, b: TeamHostKey) => a.host === b.host && a.port === b.port && a.publicKey === b.publicKey;
  const describe = (key: TeamHostKey, change: HostKeyChange['change']): HostKeyChange => {
    const blob = Buffer.from(key.publicKey, 'base64');
    return { host: key.host, port: key.port, keyType: hostKeyFromBlob(blob).type, fingerprint: sshFingerprint(blob), change };
  };
  return [
    ...after.map((key) => describe(key, before.some((entry) => same(entry, key)) ? 'same' : 'add')),
    ...before.filter((key) => !after.some((entry) => same(entry, key))).map((key) => describe(key, 'remove')),
  ];
}

function profileIdsIn(text: string): string[] {
  try {
    return parseTeamFile(text).profiles.map((profile) => profile.id);
  } catch {
    return [];
  }
}

/** A failed fetch says how old the copy still in use is, when there is one. */
function withLastCopy(error: unknown, info: ErrorInfo, known: SourceState | undefined, now: number): unknown {
  const copy = known?.fetched ?? known?.applied;
  if (!copy) return error;
  const message = `${info.message} Still using the copy fetched ${describeAge(now - copy.at)} ago (version ${copy.revision}).`;
  return new JumpgateError(info.code, message, { ...(info.hint ? { hint: info.hint } : {}), ...(info.details ? { details: info.details as never } : {}), cause: error });
}
