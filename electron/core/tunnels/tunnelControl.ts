import type { ErrorInfo } from '../../../shared/model/errors';
import type { DbTarget, Profile } from '../../../shared/model/profile';
import { isLive, type TunnelSnapshotEntry } from '../../../shared/model/tunnelState';
import type { AuditLog } from '../audit/auditLog';
import type { ProfileAws } from '../aws/profileAws';
import type { EventBus } from '../events/eventBus';
import type { ProfileStore } from '../profiles/profileStore';
import type { Scheduler } from '../secrets/clipboardGuard';
import type { PassphraseCache, Unlock } from '../secrets/passphraseCache';
import type { JumpHostPool } from '../ssh/jumpHostPool';
import { tuningOf } from '../ssh/profileTuning';
import { IdleCloser } from './idleCloser';
import { TunnelManager } from './tunnelManager';

export function tunnelId(profileId: string, targetId: string): string {
  return `${profileId}/${targetId}`;
}

/** The profile and target ids in a tunnel id ("profile/target"). */
export function refsOf(id: string): { profileId: string; targetId: string } {
  const [profileId = '', targetId = ''] = id.split('/');
  return { profileId, targetId };
}

export interface TunnelControlOptions {
  pool: JumpHostPool;
  bus: EventBus;
  profiles: ProfileStore;
  aws: ProfileAws;
  passphrases: PassphraseCache;
  audit: AuditLog;
  scheduler: Scheduler;
  now?: () => number;
}

/**
 * Tunnels as the service sees them: one per saved target, keyed
 * "profile/target", opened with the profile's settings, state sent on the bus
 * as `tunnels:state` with the whole entry, and closed after the profile's idle
 * limit. The engine underneath (TunnelManager) knows nothing of profiles.
 */
export class TunnelControl {
  private readonly manager: TunnelManager;
  private readonly idleCloser: IdleCloser;

  constructor(private readonly options: TunnelControlOptions) {
    this.idleCloser = new IdleCloser({
      scheduler: options.scheduler,
      limitMinutesFor: (id) => this.profileOf(id)?.options.idleAutoCloseMinutes ?? 0,
      close: (id) => void this.closeIdle(id),
    });
    this.manager = new TunnelManager({
      pool: options.pool,
      onEvent: (event) => {
        this.idleCloser.observe(event.tunnelId, event.state);
        options.bus.emit('tunnels:state', { tunnelId: event.tunnelId, endpoint: event.endpoint, state: event.state });
      },
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Every tunnel now, numbered like the `tunnels:state` events (apply only later ones). */
  snapshot(): { seq: number; tunnels: TunnelSnapshotEntry[] } {
    return { seq: this.options.bus.seqOf('tunnels:state'), tunnels: this.manager.snapshot().tunnels };
  }

  /** Open the target's tunnel (or return it if it already holds its port), and say if a passphrase to remember was not stored. */
  async start(profile: Profile, target: DbTarget, unlock: Unlock | undefined): Promise<TunnelSnapshotEntry & { notRemembered?: ErrorInfo }> {
    const id = tunnelId(profile.id, target.id);
    const existing = this.manager.get(id);
    if (existing && isLive(existing.state)) return existing;
    const remote = await this.options.aws.resolveRemote(profile, target);
    const { value, notRemembered } = await this.options.passphrases.withUnlock(profile, unlock, () =>
      this.manager.start({
        id,
        jumpHost: profile.jumpHost,
        remoteHost: remote.host,
        remotePort: remote.port,
        localPort: target.localPort,
        tuning: tuningOf(profile),
      }),
    );
    return notRemembered ? { ...value, notRemembered } : value;
  }

  /** Close the target's tunnel if there is one; its port is free when this resolves. */
  async stop(profileId: string, targetId: string): Promise<void> {
    const id = tunnelId(profileId, targetId);
    if (this.manager.get(id)) await this.manager.stop(id);
  }

  /** "Retry now" on a reconnecting target: its jump host connection skips the rest of its backoff. */
  retryNow(profileId: string, targetId: string): void {
    this.manager.retryNow(tunnelId(profileId, targetId));
  }

  /** Close several targets' tunnels together. */
  async stopTargets(profileId: string, targetIds: readonly string[]): Promise<void> {
    await Promise.all(targetIds.map((targetId) => this.stop(profileId, targetId)));
  }

  async dispose(): Promise<void> {
    this.idleCloser.dispose();
    await this.manager.dispose();
  }

  private profileOf(id: string): Profile | undefined {
    const { profileId } = refsOf(id);
    return this.options.profiles.list().find((profile) => profile.id === profileId);
  }

  private async closeIdle(id: string): Promise<void> {
    const profile = this.profileOf(id);
    const target = profile?.targets.find((entry) => entry.id === refsOf(id).targetId);
    try {
      await this.manager.stop(id);
      await this.options.audit.record(
        'tunnel-idle-closed',
        `${profile?.name ?? id} / ${target?.name ?? ''}: no client for ${profile?.options.idleAutoCloseMinutes} min`,
        refsOf(id),
      );
    } catch {
      // Already stopped by the user in the meantime: nothing to close or record.
    }
  }
}
