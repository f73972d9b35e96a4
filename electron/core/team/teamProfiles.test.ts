import { describe, expect, it } from 'vitest';
import { JumpgateError } from '../../../shared/model/errors';
import { ProfileSchema, type Profile } from '../../../shared/model/profile';
import { exportTeamFile, parseTeamFile } from '../profiles/teamFile';
import { publishedProfile } from './teamProfiles';
import { describeAge } from '../../../shared/model/age';
import { followedSet } from './teamSources';

const ADMIN = ProfileSchema.parse({
  id: 'prod',
  name: 'Production',
  jumpHost: {
    host: 'bastion.example.com',
    user: 'ec2-user',
    auth: { kind: 'key', keyPath: '/home/admin/.ssh/admin_ed25519' },
    via: [{ host: 'outer.example.com', port: 22, user: 'ec2-user', auth: { kind: 'agent', socketPath: '/run/user/1000/agent.sock' } }],
  },
  aws: { region: 'eu-west-2', profile: 'admin-sso', securityGroupId: 'sg-0abc' },
  targets: [
    { id: 'orders', name: 'Orders', engine: 'mysql', remote: { kind: 'rds', identifier: 'orders-db' }, localPort: 13306, secret: { kind: 'rds-managed' } },
    { id: 'reports', name: 'Reports', engine: 'postgres', remote: { kind: 'rds', identifier: 'reports-db' }, localPort: 15432 },
  ],
  options: { autoConnect: true, keepaliveIntervalSeconds: 30 },
});

function thrown(run: () => unknown): JumpgateError {
  try {
    run();
  } catch (error) {
    if (error instanceof JumpgateError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('what a team publishes and what each follower keeps', () => {
  it('publishes where things are and nothing personal: no key path, agent socket, AWS profile name or options', () => {
    const published = publishedProfile(ADMIN);
    const text = exportTeamFile([published], new Date(0), []);
    expect(text).not.toContain('/home/admin');
    expect(text).not.toContain('agent.sock');
    expect(text).not.toContain('admin-sso');
    expect(published.jumpHost.auth).toEqual({ kind: 'agent' });
    expect(published.options).toEqual(ProfileSchema.parse({ ...ADMIN, options: {} }).options);
    expect(published.aws).toEqual({ region: 'eu-west-2', securityGroupId: 'sg-0abc' });
    expect(published.targets).toEqual(ADMIN.targets);
    expect(parseTeamFile(text).profiles).toEqual([published]);
  });

  it('a first follow takes the team profile and the key the follower names', () => {
    const team = [publishedProfile(ADMIN)];
    const { next, followed, removed } = followedSet([], team, undefined, '/home/new/.ssh/id_ed25519');
    expect(removed).toEqual([]);
    expect(next).toEqual(followed);
    expect(followed[0]?.jumpHost.auth).toEqual({ kind: 'key', keyPath: '/home/new/.ssh/id_ed25519' });
    expect(followed[0]?.jumpHost.via[0]?.auth).toEqual({ kind: 'key', keyPath: '/home/new/.ssh/id_ed25519' });
    expect(followed[0]?.targets.map((target) => target.localPort)).toEqual([13306, 15432]);
  });

  it('takes no login, AWS profile or options from a file at the source, even one crafted to carry them', () => {
    // ADMIN as it is, not as publish writes it: a key path, an agent socket, an AWS profile, options.
    const [taken] = followedSet([], [ADMIN], undefined, undefined).followed as [Profile];
    expect(taken.jumpHost.auth).toEqual({ kind: 'agent' });
    expect(taken.jumpHost.via[0]?.auth).toEqual({ kind: 'agent' });
    expect(taken.aws.profile).toBeUndefined();
    expect(taken.options.autoConnect).toBe(false);
  });

  it('a new team version keeps the follower key, options, AWS profile, moved port and own target', () => {
    const base = [publishedProfile(ADMIN)];
    const [mine] = followedSet([], base, undefined, '/home/new/.ssh/id_ed25519').followed as [Profile];
    const personal: Profile = {
      ...mine,
      jumpHost: { ...mine.jumpHost, user: 'jane' },
      aws: { ...mine.aws, profile: 'my-sso' },
      options: { ...mine.options, idleAutoCloseMinutes: 15 },
      targets: [
        { ...(mine.targets[0] as Profile['targets'][number]), localPort: 23306 },
        mine.targets[1] as Profile['targets'][number],
        { id: 'scratch', name: 'Scratch', engine: 'postgres', remote: { kind: 'host', host: 'scratch.internal', port: 5432 }, localPort: 25432, secret: { kind: 'none' } },
      ],
    };
    const changed = publishedProfile({
      ...ADMIN,
      targets: [
        { ...(ADMIN.targets[0] as Profile['targets'][number]), remote: { kind: 'rds', identifier: 'orders-db-v2', endpoint: 'instance' }, localPort: 13307 },
        { ...(ADMIN.targets[1] as Profile['targets'][number]), localPort: 15433 },
      ],
    });
    const [after] = followedSet([personal], [changed], base, undefined).followed as [Profile];
    expect(after.jumpHost.auth).toEqual({ kind: 'key', keyPath: '/home/new/.ssh/id_ed25519' });
    expect(after.aws.profile).toBe('my-sso');
    // Her own account on the jump box, not the team's ec2-user.
    expect(after.jumpHost.user).toBe('jane');
    expect(after.options.idleAutoCloseMinutes).toBe(15);
    // Orders: the team's new database, the follower's own port (moved from the team's 13306).
    expect(after.targets[0]).toMatchObject({ id: 'orders', remote: { identifier: 'orders-db-v2' }, localPort: 23306 });
    // Reports: never moved, so it follows the team's new port.
    expect(after.targets[1]).toMatchObject({ id: 'reports', localPort: 15433 });
    expect(after.targets[2]?.id).toBe('scratch');
  });

  it('a jump box user the follower never changed follows the team', () => {
    const base = [publishedProfile(ADMIN)];
    const [mine] = followedSet([], base, undefined, undefined).followed as [Profile];
    const renamed = publishedProfile({ ...ADMIN, jumpHost: { ...ADMIN.jumpHost, user: 'ubuntu' } });
    expect((followedSet([mine], [renamed], base, undefined).followed[0] as Profile).jumpHost.user).toBe('ubuntu');
  });

  it('a profile the team stops publishing goes; the follower own profiles stay', () => {
    const staging = publishedProfile({ ...ADMIN, id: 'staging', name: 'Staging', targets: [] });
    const base = [publishedProfile(ADMIN), staging];
    const own = ProfileSchema.parse({ id: 'mine', name: 'Mine', jumpHost: { host: 'h', user: 'u', auth: { kind: 'agent' } } });
    const { next, removed } = followedSet([...base, own], [publishedProfile(ADMIN)], base, undefined);
    expect(removed).toEqual(['staging']);
    expect(next.map((profile) => profile.id)).toEqual(['prod', 'mine']);
  });

  it('refuses a team port another of the follower profiles listens on, naming both', () => {
    const own = ProfileSchema.parse({
      id: 'mine',
      name: 'Mine',
      jumpHost: { host: 'h', user: 'u', auth: { kind: 'agent' } },
      targets: [{ id: 'db', name: 'DB', engine: 'mysql', remote: { kind: 'host', host: 'db', port: 3306 }, localPort: 13306 }],
    });
    const refused = thrown(() => followedSet([own], [publishedProfile(ADMIN)], undefined, undefined));
    expect(refused.code).toBe('PROFILE_INVALID');
    expect(refused.message).toContain('13306');
    expect(refused.message).toContain('Mine');
  });

  it('says how old a copy is as people do', () => {
    expect(describeAge(20_000)).toBe('less than a minute');
    expect(describeAge(60_000)).toBe('1 minute');
    expect(describeAge(3 * 3_600_000)).toBe('3 hours');
    expect(describeAge(5 * 86_400_000)).toBe('5 days');
  });
});
