import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamUser, enforceIam } from '../../../e2e/rig/moto';
import { motoForSuite } from '../../../e2e/rig/motoSuite';
import { peersAvailable } from '../../../e2e/rig/peers';
import { waitForValue } from '../../../e2e/rig/waitFor';
import type { JumpgateBridge } from '../../../shared/bridge';
import type { EventOf } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/model/errors';
import { createAwsClients, type AwsEnvironment } from '../aws/awsClients';
import { createDispatcher, invokerFor } from '../dispatcher';
import type { Scheduler } from '../secrets/clipboardGuard';
import { createJumpgate, type Jumpgate } from '../service';
import { hostKeyFromBlob, sshFingerprint } from '../ssh/knownHosts';

const SOURCE = 'ssm:/jumpgate/acme';

/** An ed25519 host key as the SSH wire blob: string "ssh-ed25519", string <32-byte key>. */
function ed25519HostKey(): Buffer {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  const raw = der.subarray(der.length - 32);
  const type = Buffer.from('ssh-ed25519');
  const length = (value: number) => Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
  return Buffer.concat([length(type.length), type, length(raw.length), raw]);
}

function value<T>(reply: { ok: true; value: T } | { ok: false; error: ErrorInfo }): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

function failure(reply: { ok: true; value: unknown } | { ok: false; error: ErrorInfo }): ErrorInfo {
  if (reply.ok) throw new Error('expected a refusal');
  return reply.error;
}

describe.skipIf(!peersAvailable('moto_server'))('a team published to Parameter Store and followed (issue #16)', () => {
  const moto = motoForSuite({ resetBeforeEach: false });
  let dir: string;
  const opened: Jumpgate[] = [];
  const hostKey = ed25519HostKey();

  async function open(name: string, aws?: AwsEnvironment, scheduler?: Scheduler): Promise<{ jumpgate: Jumpgate; invoke: JumpgateBridge['invoke']; dataDir: string }> {
    const dataDir = join(dir, name);
    const jumpgate = await createJumpgate({ dataDir, version: 'test', aws: aws ?? { endpoint: moto().endpoint, credentials: moto().credentials }, ...(scheduler ? { scheduler } : {}) });
    opened.push(jumpgate);
    return { jumpgate, invoke: invokerFor(createDispatcher(jumpgate.handlers)), dataDir };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-team-'));
  });
  afterAll(async () => {
    for (const jumpgate of opened) await jumpgate.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes, follows, keeps the follower port, refuses a stale publish, and keeps the last copy when denied', async () => {
    const admin = await open('admin');
    const prod = {
      id: 'prod',
      name: 'Production',
      jumpHost: { host: 'bastion.example.com', port: 22, user: 'ec2-user', auth: { kind: 'key', keyPath: '/home/admin/.ssh/admin_ed25519' } },
      aws: { region: 'eu-west-2', securityGroupId: 'sg-0abc' },
      targets: [{ id: 'orders', name: 'Orders', engine: 'mysql', remote: { kind: 'rds', identifier: 'orders-db' }, localPort: 13306, secret: { kind: 'rds-managed' } }],
    };
    const example = value(await admin.invoke('profiles:list', {}));
    for (const profile of example.profiles) value(await admin.invoke('profiles:delete', { id: profile.id, revision: example.revisions[profile.id] ?? 0 }));
    value(await admin.invoke('profiles:save', { profile: prod }));

    // Without a pinned host key there is nothing to tell followers: refused.
    expect(failure(await admin.invoke('team:planPublish', { source: SOURCE, profileIds: ['prod'] })).code).toBe('TEAM_HOST_KEY_UNPINNED');
    value(await admin.invoke('hostKeys:trust', { host: 'bastion.example.com', port: 22, publicKey: hostKey.toString('base64') }));

    const firstPlan = value(await admin.invoke('team:planPublish', { source: SOURCE, profileIds: ['prod'] }));
    expect(firstPlan.published).toBeUndefined();
    expect(firstPlan.plan.add.map((profile) => profile.id)).toEqual(['prod']);
    expect(firstPlan.plan.hostKeys).toEqual([{ host: 'bastion.example.com', port: 22, keyType: 'ssh-ed25519', fingerprint: sshFingerprint(hostKey), change: 'add' }]);
    expect(value(await admin.invoke('team:publish', { source: SOURCE, profileIds: ['prod'] })).revision).toBe('1');
    // Nothing personal reached AWS.
    const head = await createAwsClients({ region: 'eu-west-2' }, { endpoint: moto().endpoint, credentials: moto().credentials }).ssm().send(new GetParameterCommand({ Name: '/jumpgate/acme' }));
    const sha = (JSON.parse(head.Parameter?.Value ?? '{}') as { sha256: string }).sha256;
    const part = await createAwsClients({ region: 'eu-west-2' }, { endpoint: moto().endpoint, credentials: moto().credentials }).ssm().send(new GetParameterCommand({ Name: `/jumpgate/acme/part/${sha.slice(0, 16)}-0` }));
    expect(part.Parameter?.Value).toContain('orders-db');
    expect(part.Parameter?.Value).not.toContain('/home/admin');

    // The new starter fetches, sees what it adds, follows with their own key.
    const starter = await open('starter');
    const fetched = value(await starter.invoke('team:fetch', { source: SOURCE, keyPath: '/home/new/.ssh/id_ed25519' }));
    expect(fetched.teamRevision).toBe('1');
    expect(fetched.plan.add.map((profile) => profile.id)).toEqual(['prod']);
    // The first run's example holds 13306: untouched, it is a placeholder and gives way to the team's profile.
    expect(fetched.plan.remove.map((profile) => profile.id)).toEqual(['example-production']);
    expect(fetched.plan.hostKeys.map((key) => key.change)).toEqual(['add']);
    const followed = value(await starter.invoke('team:follow', { source: SOURCE, teamRevision: '1', revision: fetched.revision, keyPath: '/home/new/.ssh/id_ed25519' }));
    expect(followed.pinned.map((key) => key.fingerprint)).toEqual([sshFingerprint(hostKey)]);
    expect(followed.profiles[0]?.jumpHost.auth).toEqual({ kind: 'key', keyPath: '/home/new/.ssh/id_ed25519' });
    expect(value(await starter.invoke('profiles:list', {})).profiles.map((profile) => profile.id)).toEqual(['prod']);
    // Keys pinned without the user's own question are in the audit log, with where they came from.
    const [followedLine] = value(await starter.invoke('audit:list', {}));
    expect(followedLine).toMatchObject({ kind: 'team-followed', detail: `${SOURCE} version 1: prod; removed example-production; pinned as published: bastion.example.com:22 ssh-ed25519 ${sshFingerprint(hostKey)}` });
    expect(value(await admin.invoke('audit:list', {}))[0]).toMatchObject({ kind: 'team-published', detail: `prod to ${SOURCE} (version 1)` });
    expect(readFileSync(join(starter.dataDir, 'known_hosts'), 'utf8')).toContain(`bastion.example.com ssh-ed25519 ${hostKey.toString('base64')}`);

    // The new starter moves Orders to another local port, their own.
    const mine = value(await starter.invoke('profiles:get', { id: 'prod' }));
    const revisions = value(await starter.invoke('profiles:list', {})).revisions;
    value(await starter.invoke('profiles:updateTarget', { profileId: 'prod', revision: revisions.prod ?? 0, target: { ...mine.targets[0], localPort: 23306 } as never }));

    // The administrator points Orders at a new database and publishes over version 1.
    const adminRevision = value(await admin.invoke('profiles:list', {})).revisions.prod ?? 0;
    const saved = value(await admin.invoke('profiles:get', { id: 'prod' }));
    value(await admin.invoke('profiles:updateTarget', { profileId: 'prod', revision: adminRevision, target: { ...saved.targets[0], remote: { kind: 'rds', identifier: 'orders-db-v2', endpoint: 'instance' } } as never }));
    const secondPlan = value(await admin.invoke('team:planPublish', { source: SOURCE, profileIds: ['prod'] }));
    expect(secondPlan.published?.revision).toBe('1');
    expect(secondPlan.plan.change.map((entry) => [entry.after.id, entry.fields])).toEqual([['prod', ['targets']]]);
    expect(secondPlan.plan.hostKeys.map((key) => key.change)).toEqual(['same']);
    expect(value(await admin.invoke('team:publish', { source: SOURCE, profileIds: ['prod'], seenRevision: '1' })).revision).toBe('2');
    // A second administrator who read version 1 is refused, and version 2 stays.
    const stale = failure(await admin.invoke('team:publish', { source: SOURCE, profileIds: ['prod'], seenRevision: '1' }));
    expect(stale).toMatchObject({ code: 'TEAM_SOURCE_CONFLICT', details: { source: SOURCE, seenRevision: '1', currentRevision: '2' } });

    // The follower refreshes, sees the change, and gets it with their own port.
    const refreshed = value(await starter.invoke('team:refresh', {}));
    const update = refreshed.sources[0]?.fetch;
    expect(update?.teamRevision).toBe('2');
    expect(update?.plan.change.map((entry) => entry.fields)).toEqual([['targets']]);
    value(await starter.invoke('team:follow', { source: SOURCE, teamRevision: '2', revision: update?.revision ?? -1 }));
    const after = value(await starter.invoke('profiles:get', { id: 'prod' }));
    expect(after.targets[0]).toMatchObject({ remote: { identifier: 'orders-db-v2' }, localPort: 23306 });
    expect(after.jumpHost.auth).toEqual({ kind: 'key', keyPath: '/home/new/.ssh/id_ed25519' });

    // Credentials that may not read the parameter: the last copy stays, and the refusal says what to ask for.
    const keys = await createIamUser(moto(), 'starter-no-ssm', ['sts:GetCallerIdentity']);
    const denied = await open('starter', { endpoint: moto().endpoint, credentials: keys });
    await enforceIam(moto(), true);
    try {
      const refusal = value(await denied.invoke('team:refresh', {})).sources[0];
      expect(refusal?.error?.code).toBe('AWS_ACCESS_DENIED');
      expect(refusal?.error?.message).toMatch(/ssm:GetParameter on \/jumpgate\/acme .*Still using the copy fetched less than a minute ago \(version 2\)/);
      expect(refusal?.lastCopy?.revision).toBe('2');
    } finally {
      await enforceIam(moto(), false);
    }
    const status = value(await denied.invoke('team:status', {}));
    expect(status.sources[0]).toMatchObject({ source: SOURCE, followed: true, profileIds: ['prod'], applied: { revision: '2' }, pending: false, lastError: { error: { code: 'AWS_ACCESS_DENIED' } } });
    expect(value(await denied.invoke('profiles:get', { id: 'prod' })).targets[0]?.localPort).toBe(23306);
  });

  it('refuses to follow a team whose published host key differs from the one pinned here', async () => {
    const other = await open('pinned-other');
    const theirs = ed25519HostKey();
    value(await other.invoke('hostKeys:trust', { host: 'bastion.example.com', port: 22, publicKey: theirs.toString('base64') }));
    const fetched = value(await other.invoke('team:fetch', { source: SOURCE }));
    expect(fetched.plan.hostKeys.map((key) => key.change)).toEqual(['conflict']);
    const refused = failure(await other.invoke('team:follow', { source: SOURCE, teamRevision: fetched.teamRevision, revision: fetched.revision }));
    expect(refused.code).toBe('HOST_KEY_MISMATCH');
    expect(refused.message).toContain(sshFingerprint(hostKey));
    expect(refused.message).toContain(sshFingerprint(theirs));
    expect(value(await other.invoke('profiles:list', {})).profiles.some((profile) => profile.id === 'prod')).toBe(false);
    expect(hostKeyFromBlob(theirs).type).toBe('ssh-ed25519');
  });

  it('a running app fetches the followed sources at start and on its interval, shows a newer version waiting, and applies nothing', async () => {
    const source = 'ssm:/jumpgate/watched';
    const admin = await open('watch-admin');
    value(
      await admin.invoke('profiles:save', {
        profile: {
          id: 'watched',
          name: 'Watched',
          jumpHost: { host: 'bastion.example.com', port: 22, user: 'ec2-user', auth: { kind: 'agent' } },
          targets: [{ id: 'db', name: 'DB', engine: 'postgres', remote: { kind: 'rds', identifier: 'db-1' }, localPort: 25432 }],
        },
      }),
    );
    value(await admin.invoke('hostKeys:trust', { host: 'bastion.example.com', port: 22, publicKey: hostKey.toString('base64') }));
    value(await admin.invoke('team:publish', { source, profileIds: ['watched'] }));
    // A publish sends what was previewed: a profile saved here after the preview is refused, and nothing is published.
    const stalePlan = value(await admin.invoke('team:planPublish', { source, profileIds: ['watched'] }));
    value(await admin.invoke('profiles:rename', { profileId: 'watched', revision: stalePlan.revisions.watched ?? -1, name: 'Watched (renamed)' }));
    const refused = failure(await admin.invoke('team:publish', { source, profileIds: ['watched'], seenRevision: '1', revisions: stalePlan.revisions }));
    expect(refused).toMatchObject({ code: 'PROFILES_CONFLICT', details: { profileId: 'watched', seenRevision: stalePlan.revisions.watched } });

    // The follower's clock: each timer is held until the test runs it.
    const timers: Array<{ run: () => void; ms: number }> = [];
    const armed = new Set<(count: number) => void>();
    const scheduler: Scheduler = {
      now: Date.now,
      setTimeout: (run, ms) => {
        timers.push({ run, ms });
        for (const listener of armed) listener(timers.length);
        return timers.length;
      },
      clearTimeout: () => undefined,
    };
    const follower = await open('watch-follower', undefined, scheduler);
    const fetched = value(await follower.invoke('team:fetch', { source }));
    value(await follower.invoke('team:follow', { source, teamRevision: fetched.teamRevision, revision: fetched.revision }));
    const revisions = value(await admin.invoke('profiles:list', {})).revisions;
    const saved = value(await admin.invoke('profiles:get', { id: 'watched' }));
    value(await admin.invoke('profiles:updateTarget', { profileId: 'watched', revision: revisions.watched ?? 0, target: { ...saved.targets[0], remote: { kind: 'rds', identifier: 'db-2', endpoint: 'instance' } } as never }));
    value(await admin.invoke('team:publish', { source, profileIds: ['watched'], seenRevision: '1' }));

    const announced = new Promise<EventOf<'team:changed'>>((resolve) => {
      const stop = follower.jumpgate.on('team:changed', (event) => {
        if (event.status.sources.some((entry) => entry.source === source && entry.pending)) {
          stop();
          resolve(event);
        }
      });
    });
    follower.jumpgate.watchTeamSources(60_000);
    expect(timers.map((timer) => timer.ms)).toEqual([0]);
    timers.shift()?.run();
    const { status } = await announced;
    expect(status.sources.find((entry) => entry.source === source)).toMatchObject({ followed: true, applied: { revision: '1' }, fetched: { revision: '2' }, pending: true });
    // Fetched, not applied: the person sees the change first.
    expect(value(await follower.invoke('profiles:get', { id: 'watched' })).targets[0]?.remote).toMatchObject({ identifier: 'db-1' });
    await waitForValue(
      () => timers.length,
      (listener) => {
        armed.add(listener);
        return () => armed.delete(listener);
      },
      (count) => count > 0,
      { timeoutMs: 10_000, what: 'the next round scheduled' },
    );
    expect(timers.map((timer) => timer.ms)).toEqual([60_000]);
  });
});
