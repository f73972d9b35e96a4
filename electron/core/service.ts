import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EventChannel } from '../../shared/channels';
import type { EventListener, EventOf, Handlers } from '../../shared/contract';
import { auditHandlers } from './audit/auditHandlers';
import { AuditLog } from './audit/auditLog';
import { withAuditTrail } from './audit/auditTrail';
import { awsHandlers } from './aws/awsHandlers';
import { ProfileAws } from './aws/profileAws';
import { diagnosticsHandlers } from './diagnostics/diagnosticsHandlers';
import { EventBus } from './events/eventBus';
import { keyHandlers } from './keys/keyHandlers';
import { osUserName } from './paths';
import { profileHandlers } from './profiles/profileHandlers';
import { ProfileStore } from './profiles/profileStore';
import { ClipboardGuard, systemScheduler } from './secrets/clipboardGuard';
import { keyPickerHandlers } from './keys/keyPickerHandlers';
import { settingsHandlers } from './settings/settingsHandlers';
import { SettingsStore } from './settings/settingsStore';
import { PassphraseCache } from './secrets/passphraseCache';
import { secretHandlers } from './secrets/secretHandlers';
import type { JumpgateDeps, ServiceContext } from './serviceContext';
import { shellHandlers } from './shell/shellHandlers';
import { ShellSessions } from './shell/shellSessions';
import { hostKeyHandlers } from './ssh/hostKeyHandlers';
import { JumpHostPool } from './ssh/jumpHostPool';
import { KnownHostsStore } from './ssh/knownHosts';
import { refsOf, TunnelControl } from './tunnels/tunnelControl';
import { isLive } from '../../shared/model/tunnelState';
import { tunnelHandlers } from './tunnels/tunnelHandlers';
import { teamHandlers } from './team/teamHandlers';
import { TEAM_REFRESH_INTERVAL_MS, TeamSources } from './team/teamSources';
import { TeamStateStore } from './team/teamState';

export type { JumpgateDeps } from './serviceContext';
export { tunnelId } from './tunnels/tunnelControl';

export interface Jumpgate {
  handlers: Handlers;
  /** Receive every event; returns the unsubscribe function. Subscribe, then take a snapshot. */
  subscribe(listener: EventListener): () => void;
  /** Receive one channel's events, typed; returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventOf<E>) => void): () => void;
  /**
   * Fetch the followed team sources now and every `intervalMs` (15 minutes by default) until
   * disposed, announcing each outcome as team:changed (issue #16). For the hosts that keep running
   * (the desktop app, `jumpgate serve`); a one-shot command or a tunnel never calls it.
   */
  watchTeamSources(intervalMs?: number): void;
  /** Skip reconnect backoff now: the host saw the machine resume or the network return. */
  retryNow(): void;
  /** Close every tunnel and connection; awaited on quit. */
  dispose(): Promise<void>;
}

/**
 * The one implementation of the contract. It builds the long-lived owners
 * (profile store, jump host pool, tunnels, shells, clipboard, audit log) into
 * one context, and composes each domain's handler set from it. Every transport
 * reaches the handlers through the dispatcher, which has already validated the request.
 */
export async function createJumpgate(deps: JumpgateDeps): Promise<Jumpgate> {
  const bus = new EventBus();
  const profiles: ProfileStore = new ProfileStore({
    path: join(deps.dataDir, 'profiles.json'),
    // Every saved change, and one another process (the CLI) made, reaches every window with the whole set.
    onChange: () => bus.emit('profiles:changed', { revision: profiles.storeRevision, revisions: profiles.revisionsById(), profiles: profiles.list() }),
  });
  const loaded = await profiles.load();
  const settings = new SettingsStore(join(deps.dataDir, 'settings.json'));
  // A damaged settings file is kept aside beside it and the defaults used: a theme is not worth refusing to start over.
  await settings.load();
  const knownHostsPath = join(deps.dataDir, 'known_hosts');
  const knownHosts = new KnownHostsStore(knownHostsPath);
  const passphrases = new PassphraseCache(deps.keychain);
  const pool = new JumpHostPool({ ...deps.pool, knownHosts, passphraseFor: passphrases.passphraseFor });
  const audit = new AuditLog({ path: join(deps.dataDir, 'audit.log') });
  audit.onEntry((entry) => bus.emit('audit:entry', { entry }));
  const aws = new ProfileAws({ ...(deps.aws ? { environment: deps.aws } : {}), ...(deps.publicIpUrl ? { publicIpUrl: deps.publicIpUrl } : {}) });
  const tunnels = new TunnelControl({
    pool,
    bus,
    profiles,
    aws,
    passphrases,
    audit,
    scheduler: deps.scheduler ?? systemScheduler,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const shells = new ShellSessions(pool, (event) => {
    if (event.kind === 'output') bus.emit('shell:output', { shellId: event.shellId, data: event.data });
    else {
      const { kind: _kind, ...exit } = event;
      bus.emit('shell:exit', exit);
    }
  });
  const clipboard = deps.clipboard
    ? new ClipboardGuard(deps.clipboard, {
        ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
        onChange: (pending, failed) =>
          bus.emit('secrets:clipboard', { ...(pending ? { pending } : {}), ...(failed ? { failed: { label: failed.label, error: failed.error.toInfo() } } : {}) }),
      })
    : undefined;

  const team = new TeamSources({
    profiles,
    knownHosts,
    state: new TeamStateStore(join(deps.dataDir, 'team.json')),
    ...(deps.aws ? { environment: deps.aws } : {}),
    stopTargets: (profileId, targetIds) => tunnels.stopTargets(profileId, targetIds),
    onChange: () => void team.status().then((status) => bus.emit('team:changed', { status }), () => undefined),
    ...(deps.now ? { now: deps.now } : {}),
  });
  let stopWatchingTeam: (() => Promise<void>) | undefined;

  const context: ServiceContext = {
    deps,
    bus,
    profiles,
    profilesProblem: loaded.problem,
    knownHosts,
    knownHostsPath,
    passphrases,
    pool,
    tunnels,
    aws,
    audit,
    clipboard,
    shells,
    settings,
    team,
  };

  const handlers: Handlers = {
    'app:info': async () => ({
      version: deps.version,
      profilesPath: profiles.path,
      knownHostsPath,
      sshDir: join(homedir(), '.ssh'),
      user: osUserName(),
      canPickFiles: deps.pickKeyFile !== undefined,
    }),
    ...keyPickerHandlers(context),
    ...profileHandlers(context),
    ...tunnelHandlers(context),
    ...hostKeyHandlers(context),
    ...secretHandlers(context),
    ...awsHandlers(context),
    ...diagnosticsHandlers(context),
    ...keyHandlers(context),
    ...shellHandlers(context),
    ...auditHandlers(context),
    ...settingsHandlers(context),
    ...teamHandlers(context),
  };

  return {
    handlers: withAuditTrail(handlers, audit, (profileId, targetId) => {
      const profile = profiles.list().find((entry) => entry.id === profileId);
      return { profile: profile?.name ?? profileId, target: profile?.targets.find((entry) => entry.id === targetId)?.name ?? targetId ?? '' };
    }),
    subscribe: (listener) => bus.subscribe(listener),
    on: (channel, listener) => bus.on(channel, listener),
    watchTeamSources: (intervalMs = TEAM_REFRESH_INTERVAL_MS) => {
      stopWatchingTeam ??= team.watch(intervalMs, deps.scheduler ?? systemScheduler);
    },
    retryNow: () => pool.retryAllNow(),
    dispose: async () => {
      await stopWatchingTeam?.();
      await shells.dispose();
      // Every opened tunnel gets its closed line, however Jumpgate ends (Ctrl-C on the CLI, serve stopped, Quit).
      for (const entry of tunnels.snapshot().tunnels.filter((tunnel) => isLive(tunnel.state))) {
        const { profileId, targetId } = refsOf(entry.id);
        const profile = profiles.list().find((candidate) => candidate.id === profileId);
        const target = profile?.targets.find((candidate) => candidate.id === targetId);
        void audit.record('tunnel-closed', `${profile?.name ?? profileId} / ${target?.name ?? targetId} (Jumpgate closed)`, { profileId, targetId });
      }
      await tunnels.dispose();
      await pool.dispose();
      passphrases.clear();
      await clipboard?.dispose();
      await audit.flushed();
    },
  };
}
