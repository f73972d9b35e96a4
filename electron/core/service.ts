import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EventChannel, RequestChannel } from '../../shared/channels';
import type { EventOf, ParsedRequestOf, ResponseOf } from '../../shared/contract';
import { JumpgateError, toErrorInfo } from '../../shared/model/errors';
import { engineFamily, jumpBoxKeyPath, jumpBoxSshPort, type DbTarget, type Profile } from '../../shared/model/profile';
import { isLive, type TunnelSnapshotEntry } from '../../shared/model/tunnelState';
import { createAwsClients, type AwsClients, type AwsEnvironment } from './aws/awsClients';
import { listAwsProfiles, whoAmI } from './aws/identity';
import { allowMyIp, checkAccess, findJumpBoxGroups, removeMyIp } from './aws/ipAllowList';
import { lookupPublicIp } from './aws/publicIp';
import { discoverDatabases, resolveEndpoint, type DiscoveredDatabase } from './aws/rdsDiscovery';
import { findRestoredCopies } from './aws/restoredCopies';
import { deleteRestoredCopy, listSnapshots, restoreSnapshot, type PollOptions } from './aws/snapshots';
import { fetchDbCredentials, type DbCredentials } from './aws/secrets';
import { runDoctor } from './diagnostics/doctor';
import { osUserName } from './paths';
import { ProfileStore } from './profiles/profileStore';
import { AuditLog } from './audit/auditLog';
import { withAuditTrail } from './audit/auditTrail';
import { keyHandlers } from './keys/keyHandlers';
import { ClipboardGuard, systemScheduler, type Clipboard, type Scheduler } from './secrets/clipboardGuard';
import { ShellSessions } from './shell/shellSessions';
import { IdleCloser } from './tunnels/idleCloser';
import { buildConnectionStrings } from './secrets/connectionStrings';
import { importSshConfig } from './profiles/sshConfigImport';
import { applyImport, exportTeamFile, planImport } from './profiles/teamFile';
import { passphraseAccount, type Keychain } from './secrets/keychain';
import { JumpHostPool, type ConnectionTuning, type JumpHostPoolOptions } from './ssh/jumpHostPool';
import { hostKeyFromBlob, KnownHostsStore, sshFingerprint } from './ssh/knownHosts';
import { TunnelManager } from './tunnels/tunnelManager';

/** Everything the service needs from its host (Electron main, the web host, the CLI, a test). */
export interface JumpgateDeps {
  /** Where profiles.json and known_hosts live (Electron: app.getPath('userData')). */
  dataDir: string;
  version: string;
  /** The OS keychain, for passphrases the user asked Jumpgate to remember. */
  keychain?: Keychain;
  /** ~/.ssh/config by default. */
  sshConfigPath?: string;
  /** How AWS is reached: nothing in the app (the AWS CLI's conventions apply); moto's endpoint and test keys in tests. */
  aws?: AwsEnvironment;
  /** Where copied passwords go: Electron's clipboard in the app, the OS one in the CLI, a double in tests. */
  clipboard?: Clipboard;
  /** Clock for the clipboard auto-clear and idle auto-close (the real one unless a test moves it). */
  scheduler?: Scheduler;
  /** Where "my public IP" comes from (default https://checkip.amazonaws.com; tests use a local server). */
  publicIpUrl?: string;
  /** Restore polling (interval, sleep, clock): injected in tests so nothing waits. */
  restorePolling?: Omit<PollOptions, 'signal'>;
  /** Engine tuning for tests and benchmarks; the app uses the defaults. */
  pool?: Partial<Omit<JumpHostPoolOptions, 'knownHosts' | 'passphraseFor'>>;
  now?: () => number;
}

type Unlock = ParsedRequestOf<'tunnels:start'>['unlock'];

export type Handlers = { [C in RequestChannel]: (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> };
export type EventListener = <E extends EventChannel>(channel: E, payload: EventOf<E>) => void;

export interface Jumpgate {
  handlers: Handlers;
  /** Receive every event; returns the unsubscribe function. Subscribe, then take a snapshot. */
  subscribe(listener: EventListener): () => void;
  /** Skip reconnect backoff now: the host saw the machine resume or the network return. */
  retryNow(): void;
  /** Close every tunnel and connection; awaited on quit. */
  dispose(): Promise<void>;
}

export function tunnelId(profileId: string, targetId: string): string {
  return `${profileId}/${targetId}`;
}

/**
 * The one implementation of the contract: the only place where requests meet the
 * engine, the profile store and the keychain. Every transport reaches it through
 * the dispatcher, which has already validated the request.
 */
export async function createJumpgate(deps: JumpgateDeps): Promise<Jumpgate> {
  const listeners = new Set<EventListener>();
  const emit: EventListener = (channel, payload) => {
    for (const listener of [...listeners]) listener(channel, payload);
  };

  const profiles = new ProfileStore({ path: join(deps.dataDir, 'profiles.json') });
  const loaded = await profiles.load();
  let profilesSeq = 0;
  const profilesChanged = (): void => {
    profilesSeq += 1;
    emit('profiles:changed', { seq: profilesSeq, profiles: profiles.list() });
  };

  const knownHostsPath = join(deps.dataDir, 'known_hosts');
  const knownHosts = new KnownHostsStore(knownHostsPath);
  // Passphrases given in this session live only in memory; the keychain holds them only when asked to.
  const sessionPassphrases = new Map<string, string>();
  const passphraseFor = async (keyPath: string): Promise<string | undefined> =>
    sessionPassphrases.get(keyPath) ?? (await deps.keychain?.get(passphraseAccount(keyPath)).catch(() => undefined));
  const pool = new JumpHostPool({ ...deps.pool, knownHosts, passphraseFor });
  const audit = new AuditLog({ path: join(deps.dataDir, 'audit.log') });
  let auditSeq = 0;
  audit.onEntry((entry) => emit('audit:entry', { seq: ++auditSeq, entry }));

  const scheduler = deps.scheduler ?? systemScheduler;
  const idleCloser = new IdleCloser({
    scheduler,
    limitMinutesFor: (id) => profileOfTunnel(id)?.options.idleAutoCloseMinutes ?? 0,
    close: (id) => {
      const [profile, target] = [profileOfTunnel(id), targetOfTunnel(id)];
      void manager
        .stop(id)
        .then(() => audit.record('tunnel-idle-closed', `${profile?.name ?? id} / ${target?.name ?? ''}: no client for ${profile?.options.idleAutoCloseMinutes} min`, refsOf(id)))
        .catch(() => undefined);
    },
  });
  const manager = new TunnelManager({
    pool,
    onEvent: (event) => {
      idleCloser.observe(event.tunnelId, event.state);
      emit('tunnels:state', event);
    },
    ...(deps.now ? { now: deps.now } : {}),
  });

  function profileOfTunnel(id: string): Profile | undefined {
    const { profileId } = refsOf(id);
    return profiles.list().find((profile) => profile.id === profileId);
  }
  function targetOfTunnel(id: string): DbTarget | undefined {
    return profileOfTunnel(id)?.targets.find((target) => target.id === refsOf(id).targetId);
  }

  let shellSeq = 0;
  const shells = new ShellSessions(pool, (event) => {
    shellSeq += 1;
    if (event.kind === 'output') emit('shell:output', { seq: shellSeq, shellId: event.shellId, data: event.data });
    else {
      const { kind: _kind, ...exit } = event;
      emit('shell:exit', { seq: shellSeq, ...exit });
    }
  });

  const awsClients = new Map<string, AwsClients>();
  function awsFor(profile: Profile): AwsClients {
    const key = `${profile.aws.profile ?? ''}@${profile.aws.region}`;
    let clients = awsClients.get(key);
    if (!clients) {
      clients = createAwsClients({ region: profile.aws.region, ...(profile.aws.profile ? { profile: profile.aws.profile } : {}) }, deps.aws ?? {});
      awsClients.set(key, clients);
    }
    return clients;
  }

  let clipboardSeq = 0;
  const clipboard = deps.clipboard
    ? new ClipboardGuard(deps.clipboard, {
        ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
        onChange: (pending) => {
          clipboardSeq += 1;
          emit('secrets:clipboard', { seq: clipboardSeq, ...(pending ? { pending } : {}) });
        },
      })
    : undefined;
  function requireClipboard(): ClipboardGuard {
    if (!clipboard) {
      throw new JumpgateError('CLIPBOARD_UNAVAILABLE', 'There is no clipboard here.', {
        hint: 'Use "Reveal" to see the password, or jumpgate password without --copy.',
      });
    }
    return clipboard;
  }

  /** The RDS database behind a target, found by identifier or by endpoint address. */
  async function databaseOf(profile: Profile, target: DbTarget): Promise<DiscoveredDatabase | undefined> {
    const { databases } = await discoverDatabases(awsFor(profile), { scanRegions: false });
    const remote = target.remote;
    return databases.find((db) =>
      remote.kind === 'rds'
        ? db.identifier === remote.identifier || db.members?.some((member) => member.identifier === remote.identifier)
        : [db.endpoint, db.readerEndpoint, ...(db.members ?? []).map((member) => member.endpoint)].some(
            (endpoint) => endpoint?.host === remote.host,
          ),
    );
  }

  async function linkedSecretArn(profile: Profile, target: DbTarget): Promise<string | undefined> {
    return (await databaseOf(profile, target))?.secretArn;
  }

  /** The jump box's security groups: named in the profile, or those of its EC2 instance. */
  async function jumpBoxGroups(profile: Profile): Promise<string[]> {
    const { securityGroupId, jumpHostInstanceId } = profile.aws;
    if (securityGroupId) return [securityGroupId];
    if (jumpHostInstanceId) return findJumpBoxGroups(awsFor(profile), { instanceId: jumpHostInstanceId });
    throw new JumpgateError('BAD_REQUEST', `Profile "${profile.name}" does not say which security group guards the jump box.`, {
      hint: "Set the jump box's security group id (sg-...) or its EC2 instance id (i-...) in the profile's AWS settings.",
    });
  }

  const myIp = (): Promise<string> => lookupPublicIp(deps.publicIpUrl ? { url: deps.publicIpUrl } : {});
  let restoreSeq = 0;

  /** The target's current credentials, straight from Secrets Manager; held only by the caller, never stored. */
  async function credentialsFor(profile: Profile, target: DbTarget): Promise<DbCredentials> {
    const rdsManagedSecretArn = target.secret.kind === 'rds-managed' ? await linkedSecretArn(profile, target) : undefined;
    return fetchDbCredentials(awsFor(profile), target.secret, {
      ...(rdsManagedSecretArn ? { rdsManagedSecretArn } : {}),
      ...(target.username ? { fallbackUsername: target.username } : {}),
    });
  }

  function findTarget(profile: Profile, targetId: string): DbTarget {
    const target = profile.targets.find((entry) => entry.id === targetId);
    if (!target) {
      throw new JumpgateError('TARGET_NOT_FOUND', `Profile "${profile.name}" has no target "${targetId}".`, {
        hint: `Its targets are: ${profile.targets.map((entry) => entry.id).join(', ') || 'none'}.`,
      });
    }
    return target;
  }

  async function resolveRemote(profile: Profile, target: DbTarget): Promise<{ host: string; port: number }> {
    if (target.remote.kind === 'host') return { host: target.remote.host, port: target.remote.port };
    // Looked up at every connect, so a replaced or restored instance is followed.
    return resolveEndpoint(awsFor(profile), target.remote);
  }

  async function startTarget(
    profile: Profile,
    target: DbTarget,
    unlock: Unlock,
  ): Promise<TunnelSnapshotEntry> {
    const id = tunnelId(profile.id, target.id);
    const existing = manager.get(id);
    if (existing && isLive(existing.state)) {
      return existing;
    }
    const remote = await resolveRemote(profile, target);
    return withUnlock(profile, unlock, () =>
      manager.start({
        id,
        jumpHost: profile.jumpHost,
        remoteHost: remote.host,
        remotePort: remote.port,
        localPort: target.localPort,
        tuning: tuningOf(profile),
      }),
    );
  }

  function tuningOf(profile: Profile): ConnectionTuning {
    return {
      keepalive: { intervalMs: profile.options.keepaliveIntervalSeconds * 1000, countMax: profile.options.keepaliveCountMax },
      backoff: { capMs: profile.options.reconnectCapSeconds * 1000 },
    };
  }

  /**
   * Run something that logs in to the profile's jump box with a passphrase the
   * user just typed: kept in memory for the session, put in the keychain only
   * if asked and only once it has proved right, dropped if it was wrong.
   */
  async function withUnlock<T>(profile: Profile, unlock: Unlock, action: () => Promise<T>): Promise<T> {
    const keyPath = jumpBoxKeyPath(profile);
    if (unlock && keyPath) sessionPassphrases.set(keyPath, unlock.passphrase);
    try {
      const result = await action();
      if (unlock?.remember && keyPath && deps.keychain) await deps.keychain.set(passphraseAccount(keyPath), unlock.passphrase);
      return result;
    } catch (error) {
      if (keyPath && error instanceof JumpgateError && error.code === 'BAD_PASSPHRASE') sessionPassphrases.delete(keyPath);
      throw error;
    }
  }

  const handlers: Handlers = {
    'app:info': async () => ({
      version: deps.version,
      profilesPath: profiles.path,
      knownHostsPath,
      sshDir: join(homedir(), '.ssh'),
      user: osUserName(),
    }),
    'profiles:list': async () => ({
      seq: profilesSeq,
      profiles: profiles.list(),
      ...(loaded.problem ? { problem: toErrorInfo(loaded.problem) } : {}),
    }),
    'profiles:get': async ({ id }) => profiles.get(id),
    'profiles:save': async ({ profile }) => {
      const saved = await profiles.upsert(profile);
      profilesChanged();
      return saved;
    },
    'profiles:delete': async ({ id }) => {
      const profile = profiles.get(id);
      await Promise.all(profile.targets.map((target) => manager.stop(tunnelId(id, target.id)).catch(() => undefined)));
      await profiles.remove(id);
      profilesChanged();
      return null;
    },
    'profiles:duplicate': async ({ id, name }) => {
      const copy = await profiles.duplicate(id, name);
      profilesChanged();
      return copy;
    },
    'profiles:export': async ({ ids }) => {
      const all = profiles.list();
      const chosen = ids ? ids.map((id) => profiles.get(id)) : all;
      return { text: exportTeamFile(chosen) };
    },
    'profiles:planImport': async ({ text }) => planImport(profiles.list(), text),
    'profiles:applyImport': async ({ text }) => {
      const current = profiles.list();
      await profiles.replaceAll(applyImport(current, planImport(current, text)));
      profilesChanged();
      return profiles.list();
    },
    'profiles:importSshConfig': async () => {
      const path = deps.sshConfigPath ?? join(homedir(), '.ssh', 'config');
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return importSshConfig(text);
    },
    'tunnels:snapshot': async () => manager.snapshot(),
    'tunnels:start': async ({ profileId, targetId, unlock }) => {
      const profile = profiles.get(profileId);
      return startTarget(profile, findTarget(profile, targetId), unlock);
    },
    'tunnels:stop': async ({ profileId, targetId }) => {
      const profile = profiles.get(profileId);
      findTarget(profile, targetId);
      const id = tunnelId(profileId, targetId);
      if (manager.get(id)) await manager.stop(id);
      return null;
    },
    'tunnels:startProfile': async ({ profileId, unlock }) => {
      const profile = profiles.get(profileId);
      // One SSH connection carries them all: the pool shares it, so start them together.
      return Promise.all(profile.targets.map((target) => startTarget(profile, target, unlock)));
    },
    'tunnels:stopProfile': async ({ profileId }) => {
      const profile = profiles.get(profileId);
      await Promise.all(
        profile.targets.map(async (target) => {
          const id = tunnelId(profileId, target.id);
          if (manager.get(id)) await manager.stop(id);
        }),
      );
      return null;
    },
    'hostKeys:trust': async ({ host, port, publicKey, replace }) => {
      let key;
      try {
        key = hostKeyFromBlob(Buffer.from(publicKey, 'base64'));
      } catch {
        throw new JumpgateError('BAD_REQUEST', 'That is not an SSH host key.', { hint: 'Trust the key exactly as Jumpgate presented it.' });
      }
      await pool.trustHostKey(host, port, key, { replace });
      return { fingerprint: sshFingerprint(key.blob) };
    },
    'aws:whoami': async ({ profileId }) => whoAmI(awsFor(profiles.get(profileId))),
    'aws:listProfiles': async () =>
      listAwsProfiles({
        ...(deps.aws?.configFile ? { configFile: deps.aws.configFile } : {}),
        ...(deps.aws?.credentialsFile ? { credentialsFile: deps.aws.credentialsFile } : {}),
      }),
    'aws:listDatabases': async ({ profileId, region }) => {
      const takenPorts = profiles.list().flatMap((profile) => profile.targets.map((target) => target.localPort));
      return discoverDatabases(awsFor(profiles.get(profileId)), { ...(region ? { region } : {}), takenPorts });
    },
    'secrets:copyPassword': async ({ profileId, targetId, clearAfterSeconds }) => {
      const guard = requireClipboard();
      const profile = profiles.get(profileId);
      const target = findTarget(profile, targetId);
      const { password } = await credentialsFor(profile, target);
      return guard.copy(password, {
        label: `Password for ${profile.name} / ${target.name}`,
        ...(clearAfterSeconds ? { clearAfterMs: clearAfterSeconds * 1000 } : {}),
      });
    },
    'secrets:revealPassword': async ({ profileId, targetId }) => {
      const profile = profiles.get(profileId);
      const { username, password } = await credentialsFor(profile, findTarget(profile, targetId));
      return { username, password };
    },
    'secrets:copyConnectionString': async ({ profileId, targetId, format, clearAfterSeconds }) => {
      const guard = requireClipboard();
      const profile = profiles.get(profileId);
      const target = findTarget(profile, targetId);
      const credentials = await credentialsFor(profile, target);
      const strings = buildConnectionStrings({
        family: engineFamily(target.engine),
        port: target.localPort,
        username: credentials.username,
        password: credentials.password,
        ...((target.database ?? credentials.dbname) ? { database: target.database ?? credentials.dbname } : {}),
      });
      const text = format === 'jdbc' ? strings.jdbc : format === 'prisma' ? strings.prismaDatabaseUrl : strings.url;
      const what = format === 'jdbc' ? 'JDBC URL' : format === 'prisma' ? 'Prisma DATABASE_URL' : 'Connection URL';
      return guard.copy(text, {
        label: `${what} for ${profile.name} / ${target.name}`,
        ...(clearAfterSeconds ? { clearAfterMs: clearAfterSeconds * 1000 } : {}),
      });
    },
    'secrets:clearClipboard': async () => {
      await clipboard?.clearNow();
      return null;
    },
    'aws:checkAccess': async ({ profileId }) => {
      const profile = profiles.get(profileId);
      const ip = await myIp();
      const port = jumpBoxSshPort(profile);
      return withAccessFacts(profile, ip, async () => {
        const groupIds = await jumpBoxGroups(profile);
        return { ip, ...(await checkAccess(awsFor(profile), { groupIds, ip, port })) };
      });
    },
    'aws:allowMyIp': async ({ profileId, label }) => {
      const profile = profiles.get(profileId);
      const ip = await myIp();
      const port = jumpBoxSshPort(profile);
      return withAccessFacts(profile, ip, async () => {
        const groupIds = await jumpBoxGroups(profile);
        const result = await allowMyIp(awsFor(profile), { groupId: groupIds[0] as string, ip, port, ...(label ? { label } : {}) });
        return { ip, ...result };
      });
    },
    'aws:removeMyIp': async ({ profileId, label }) => {
      const profile = profiles.get(profileId);
      const groupIds = await jumpBoxGroups(profile);
      return removeMyIp(awsFor(profile), { groupId: groupIds[0] as string, ...(label ? { label } : {}) });
    },
    'aws:listSnapshots': async ({ profileId, targetId }) => {
      const profile = profiles.get(profileId);
      const target = findTarget(profile, targetId);
      const db = await databaseOf(profile, target);
      if (!db) {
        throw new JumpgateError('AWS_NOT_FOUND', `No RDS database in ${profile.aws.region} matches target "${target.name}".`, {
          hint: 'Snapshots are listed for RDS targets: pick the database from Endpoints, or check the region.',
        });
      }
      return listSnapshots(awsFor(profile), db.kind === 'cluster' ? { clusterIdentifier: db.identifier } : { instanceIdentifier: db.identifier });
    },
    'aws:restoreSnapshot': async ({ profileId, targetId, snapshot, newIdentifier }) => {
      const profile = profiles.get(profileId);
      findTarget(profile, targetId);
      return restoreSnapshot(awsFor(profile), {
        ...deps.restorePolling,
        snapshot,
        newIdentifier,
        onProgress: (progress) => {
          restoreSeq += 1;
          emit('aws:restoreProgress', { seq: restoreSeq, profileId, ...progress });
        },
      });
    },
    'aws:listRestored': async ({ profileId }) => findRestoredCopies(awsFor(profiles.get(profileId))),
    'aws:deleteRestored': async ({ profileId, identifier, confirmIdentifier }) =>
      deleteRestoredCopy(awsFor(profiles.get(profileId)), { ...deps.restorePolling, identifier, confirmIdentifier }),
    'diagnostics:run': async ({ profileId, targetId }) => {
      const profile = profiles.get(profileId);
      const target = targetId ? findTarget(profile, targetId) : profile.targets[0];
      const usesAws =
        profile.aws.profile !== undefined ||
        profile.aws.securityGroupId !== undefined ||
        profile.aws.jumpHostInstanceId !== undefined ||
        profile.targets.some((entry) => entry.remote.kind === 'rds' || entry.secret.kind !== 'none');
      // A pool of its own: the probe must not share (or drop) the connection running tunnels use.
      const probePool = new JumpHostPool({ ...deps.pool, knownHosts, passphraseFor });
      try {
        return await runDoctor({
          profile,
          ...(target ? { target } : {}),
          pool: probePool,
          passphraseFor,
          usesAws,
          whoAmI: async () => {
            const identity = await whoAmI(awsFor(profile));
            return `${identity.arn} (account ${identity.account})`;
          },
          regionCheck: async () => {
            const found = await discoverDatabases(awsFor(profile), { scanRegions: false });
            const wanted = profile.targets.filter((entry) => entry.remote.kind === 'rds');
            if (wanted.length > 0 && found.databases.length === 0) {
              throw new JumpgateError('AWS_NOT_FOUND', `No RDS databases in ${profile.aws.region}.`, {
                hint: "Check the profile's region (the RDS console shows the region of each database).",
              });
            }
            return `${profile.aws.region}: ${found.databases.length} RDS database(s) visible`;
          },
          ...(profile.aws.securityGroupId || profile.aws.jumpHostInstanceId
            ? {
                ipCheck: async () => {
                  const [ip, groups] = await Promise.all([myIp(), jumpBoxGroups(profile)]);
                  const port = jumpBoxSshPort(profile);
                  const { allowed } = await checkAccess(awsFor(profile), { groupIds: groups, ip, port });
                  return { allowed, ip, groups };
                },
              }
            : {}),
          resolveRemote: (entry) => resolveRemote(profile, entry),
          credentialsFor: (entry) => credentialsFor(profile, entry),
        });
      } finally {
        await probePool.dispose();
      }
    },
    ...keyHandlers(),
    'shell:open': async ({ profileId, cols, rows, unlock }) => {
      const profile = profiles.get(profileId);
      const shellId = await withUnlock(profile, unlock, () => shells.open(profile.jumpHost, { cols, rows }, tuningOf(profile)));
      return { shellId };
    },
    'shell:input': async ({ shellId, data }) => {
      shells.write(shellId, data);
      return null;
    },
    'shell:resize': async ({ shellId, cols, rows }) => {
      shells.resize(shellId, { cols, rows });
      return null;
    },
    'shell:close': async ({ shellId }) => {
      await shells.close(shellId);
      return null;
    },
    'audit:list': async (request) => audit.list(request?.limit),
    'keychain:forgetPassphrase': async ({ keyPath }) => {
      const inMemory = sessionPassphrases.delete(keyPath);
      const inKeychain = deps.keychain ? await deps.keychain.delete(passphraseAccount(keyPath)) : false;
      return { deleted: inMemory || inKeychain };
    },
  };

  return {
    handlers: withAuditTrail(handlers, audit, (profileId, targetId) => {
      const profile = profiles.list().find((entry) => entry.id === profileId);
      return { profile: profile?.name ?? profileId, target: profile?.targets.find((entry) => entry.id === targetId)?.name ?? targetId ?? '' };
    }),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    retryNow: () => pool.retryAllNow(),
    dispose: async () => {
      idleCloser.dispose();
      await shells.dispose();
      await manager.dispose();
      await pool.dispose();
      sessionPassphrases.clear();
      await clipboard?.dispose();
      await audit.flushed();
    },
  };
}

/**
 * A refusal to look at or change the jump box's security group, carrying what
 * an administrator needs to make the rule by hand (the user's IP, the port, the
 * group when known), so the page can write the request even before any check.
 */
async function withAccessFacts<T>(profile: Profile, ip: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof JumpgateError) || error.code !== 'AWS_ACCESS_DENIED') throw error;
    const { securityGroupId } = profile.aws;
    const facts = { ip, port: jumpBoxSshPort(profile), ...(securityGroupId ? { groupId: securityGroupId } : {}) };
    throw new JumpgateError(error.code, error.message, { ...(error.hint ? { hint: error.hint } : {}), details: { ...error.details, ...facts } });
  }
}

/** The profile and target ids in a tunnel id ("profile/target"). */
function refsOf(id: string): { profileId: string; targetId: string } {
  const [profileId = '', targetId = ''] = id.split('/');
  return { profileId, targetId };
}
