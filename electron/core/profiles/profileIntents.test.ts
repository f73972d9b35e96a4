import { describe, expect, it } from 'vitest';
import { ProfileSchema, type Profile } from '../../../shared/model/profile';
import { targetForRestoredCopy, withKeyAttached, withRestoredCopyTarget, withTargetAdded, withTargetsRemoved } from './profileIntents';

function profile(id: string, targets: unknown[] = [], jumpHost: unknown = { host: 'bastion.example.com', port: 22, user: 'ec2-user', auth: { kind: 'agent' }, via: [] }): Profile {
  return ProfileSchema.parse({ id, name: id.toUpperCase(), jumpHost, targets });
}

describe('profile intents', () => {
  it("points a restored copy's target at the copy with the source's engine, database, user and secret, on the next free port of the family", () => {
    const source = { id: 'orders', name: 'Orders', engine: 'mysql', remote: { kind: 'rds', identifier: 'orders-mysql' }, localPort: 13306, database: 'orders', username: 'app', secret: { kind: 'secrets-manager', secretId: 'prod/orders' } };
    const prod = profile('prod', [source]);
    const other = profile('other', [{ id: 'x', name: 'X', engine: 'mariadb', remote: { kind: 'host', host: 'h', port: 3306 }, localPort: 13307 }]);
    expect(targetForRestoredCopy(prod.targets[0]!, 'orders-rollback-1', prod, [prod, other])).toEqual({
      id: 'orders-rollback-1',
      name: 'orders-rollback-1 (restored copy of Orders)',
      engine: 'mysql',
      remote: { kind: 'rds', identifier: 'orders-rollback-1', endpoint: 'instance' },
      localPort: 13308,
      database: 'orders',
      username: 'app',
      secret: { kind: 'secrets-manager', secretId: 'prod/orders' },
    });
  });

  it("points a restored Aurora copy's target at the copy cluster's writer, whichever endpoint the source used", () => {
    for (const endpoint of ['cluster-writer', 'cluster-reader'] as const) {
      const source = { id: 'ledger', name: 'Ledger', engine: 'postgres', remote: { kind: 'rds', identifier: 'ledger', endpoint }, localPort: 15432 };
      const prod = profile('prod', [source]);
      expect(targetForRestoredCopy(prod.targets[0]!, 'ledger-rollback', prod, [prod]).remote).toEqual({ kind: 'rds', identifier: 'ledger-rollback', endpoint: 'cluster-writer' });
    }
  });

  it('makes the copy target once: a second request for the same copy returns the target that exists', () => {
    const source = { id: 'orders', name: 'Orders', engine: 'mysql', remote: { kind: 'rds', identifier: 'orders-mysql' }, localPort: 13306 };
    const prod = profile('prod', [source]);
    const first = withRestoredCopyTarget(prod, 'orders-copy', 'orders', []);
    expect(first.profile.targets.map((target) => target.id)).toEqual(['orders', 'orders-copy']);
    const second = withRestoredCopyTarget(first.profile, 'orders-copy', 'orders', []);
    expect(second).toEqual({ profile: first.profile, targetId: 'orders-copy' });
    expect(() => withRestoredCopyTarget(prod, 'other-copy', 'missing', [])).toThrow(expect.objectContaining({ code: 'TARGET_NOT_FOUND' }));
  });

  it('refuses a target on a port another profile listens on, and removes only targets that exist', () => {
    const other = profile('other', [{ id: 'x', name: 'X', engine: 'mysql', remote: { kind: 'host', host: 'h', port: 3306 }, localPort: 13306 }]);
    const target = { id: 'y', name: 'Y', engine: 'mysql' as const, remote: { kind: 'host' as const, host: 'h', port: 3306 }, localPort: 13306, secret: { kind: 'none' as const } };
    expect(() => withTargetAdded(profile('prod'), target, [other])).toThrow('Local port 13306 is already used by profile OTHER.');
    expect(() => withTargetsRemoved(other, ['nope'])).toThrow(expect.objectContaining({ code: 'TARGET_NOT_FOUND' }));
    expect(withTargetsRemoved(other, ['x']).targets).toEqual([]);
  });

  it('moves the jump box and the hops that logged in the same way onto the new key, leaving hops with their own login', () => {
    const prod = profile('prod', [], {
      host: 'inner',
      port: 22,
      user: 'ec2-user',
      auth: { kind: 'agent' },
      via: [
        { host: 'outer', port: 22, user: 'ec2-user', auth: { kind: 'agent' } },
        { host: 'other', port: 22, user: 'ops', auth: { kind: 'key', keyPath: '/keys/ops' } },
      ],
    });
    const attached = withKeyAttached(prod, '/keys/new.ppk');
    expect(attached.jumpHost.auth).toEqual({ kind: 'key', keyPath: '/keys/new.ppk' });
    expect(attached.jumpHost.via.map((hop) => hop.auth)).toEqual([
      { kind: 'key', keyPath: '/keys/new.ppk' },
      { kind: 'key', keyPath: '/keys/ops' },
    ]);
  });
});
