import { describe, expect, it } from 'vitest';
import { ProfileSchema, type Profile } from '../shared/model/profile';
import { adminRequestText, endpointKindsOf, existingTargetFor, proposedRestoreName, rdsIdentifierProblem, targetFromDiscovered, withTarget, type DiscoveredDatabase } from './awsTargets';

function profile(id: string, targets: unknown[] = []): Profile {
  return ProfileSchema.parse({
    id,
    name: id.toUpperCase(),
    jumpHost: { host: 'bastion.example.com', port: 22, user: 'ec2-user', auth: { kind: 'agent' }, via: [] },
    targets,
  });
}

const orders: DiscoveredDatabase = {
  kind: 'instance',
  identifier: 'orders-mysql',
  engine: 'mysql',
  endpoint: { host: 'orders-mysql.abc.eu-west-2.rds.amazonaws.com', port: 3306 },
  secretArn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:rds!db-1',
  masterUsername: 'admin',
  dbName: 'orders',
  proposedLocalPort: 13306,
};

const ledger: DiscoveredDatabase = {
  kind: 'cluster',
  identifier: 'ledger',
  engine: 'aurora-postgresql',
  endpoint: { host: 'ledger.cluster-x.eu-west-2.rds.amazonaws.com', port: 5432 },
  readerEndpoint: { host: 'ledger.cluster-ro-x.eu-west-2.rds.amazonaws.com', port: 5432 },
  proposedLocalPort: 15432,
};

describe('targets made from what AWS reported', () => {
  it('adds a discovered instance by identifier, on its proposed port, with the RDS-managed linked secret', () => {
    const prod = profile('prod');
    expect(targetFromDiscovered(orders, 'instance', prod, [prod])).toEqual({
      id: 'orders-mysql',
      name: 'orders-mysql',
      engine: 'mysql',
      remote: { kind: 'rds', identifier: 'orders-mysql', endpoint: 'instance' },
      localPort: 13306,
      database: 'orders',
      username: 'admin',
      secret: { kind: 'rds-managed' },
    });
  });

  it('moves past a proposed port that another profile took since the list was fetched, and keeps ids unique', () => {
    const prod = profile('prod', [{ id: 'orders-mysql', name: 'Orders', engine: 'mysql', remote: { kind: 'host', host: 'h', port: 3306 }, localPort: 14000 }]);
    const other = profile('other', [{ id: 'x', name: 'X', engine: 'mysql', remote: { kind: 'host', host: 'h', port: 3306 }, localPort: 13306 }]);
    const target = targetFromDiscovered(orders, 'instance', prod, [prod, other]);
    expect([target.id, target.localPort]).toEqual(['orders-mysql-2', 13307]);
  });

  it('offers a cluster as writer and reader, without a secret when none is linked', () => {
    const prod = profile('prod');
    expect(endpointKindsOf(ledger)).toEqual(['cluster-writer', 'cluster-reader']);
    expect(endpointKindsOf({ ...ledger, readerEndpoint: undefined } as DiscoveredDatabase)).toEqual(['cluster-writer']);
    const reader = targetFromDiscovered(ledger, 'cluster-reader', prod, [prod]);
    expect(reader).toMatchObject({ id: 'ledger-reader', name: 'ledger (reader)', remote: { endpoint: 'cluster-reader' }, secret: { kind: 'none' } });
    const withWriter = profile('prod', [targetFromDiscovered(ledger, 'cluster-writer', prod, [prod])]);
    expect(existingTargetFor(withWriter, 'ledger', 'cluster-writer')?.name).toBe('ledger');
    expect(existingTargetFor(withWriter, 'ledger', 'cluster-reader')).toBeUndefined();
  });

  it("refuses a local port another profile listens on, and anything the store's schema refuses", () => {
    const prod = profile('prod');
    const other = profile('other', [{ id: 'x', name: 'X', engine: 'mysql', remote: { kind: 'host', host: 'h', port: 3306 }, localPort: 13306 }]);
    const target = targetFromDiscovered(orders, 'instance', prod, [prod]);
    expect(withTarget(prod, target, [prod, other])).toEqual({ problem: 'Local port 13306 is already used by profile OTHER.' });
    expect(withTarget(prod, { ...target, localPort: 80 }, [prod])).toMatchObject({ problem: expect.stringMatching(/^Local port: /) });
    const saved = withTarget(prod, target, [prod]);
    expect('profile' in saved && saved.profile.targets.map((entry) => entry.id)).toEqual(['orders-mysql']);
  });

  it("checks a new database's name by RDS's rule before the user waits on a refusal", () => {
    expect(rdsIdentifierProblem('orders-rollback-1', 'orders-mysql')).toBeUndefined();
    expect(rdsIdentifierProblem('')).toBe('Type a name for the new database.');
    expect(rdsIdentifierProblem('1orders')).toBe('Start with a letter.');
    expect(rdsIdentifierProblem('orders_copy')).toBe('Use only letters, digits and hyphens.');
    expect(rdsIdentifierProblem('orders--copy')).toBe('No two hyphens in a row.');
    expect(rdsIdentifierProblem('orders-')).toBe('Do not end with a hyphen.');
    expect(rdsIdentifierProblem('a'.repeat(64))).toBe('At most 63 characters.');
    expect(rdsIdentifierProblem('Orders-MySQL', 'orders-mysql')).toMatch(/production database/);
  });

  it('proposes a restore name that RDS accepts, says when the snapshot was taken, and is not taken yet', () => {
    const snapshot = { sourceIdentifier: 'orders-mysql', createdAt: '2026-11-30T23:59:07.000Z' };
    expect(proposedRestoreName(snapshot, new Set())).toBe('orders-mysql-rollback-20261130-2359');
    expect(proposedRestoreName(snapshot, new Set(['orders-mysql-rollback-20261130-2359', 'ORDERS-MYSQL-ROLLBACK-20261130-2359-2']))).toBe('orders-mysql-rollback-20261130-2359-3');
    expect(proposedRestoreName({ sourceIdentifier: 'orders-mysql' }, new Set())).toBe('orders-mysql-rollback');
    const long = proposedRestoreName({ sourceIdentifier: `a${'-b'.repeat(40)}`, createdAt: snapshot.createdAt }, new Set());
    expect(long.length).toBeLessThanOrEqual(63);
    expect(rdsIdentifierProblem(long, 'x')).toBeUndefined();
    expect(long.endsWith('-rollback-20261130-2359')).toBe(true);
  });

  it('writes the administrator the exact address, group, port and region', () => {
    const allow = adminRequestText({ action: 'allow', ip: '81.2.3.4', groupId: 'sg-0123abcd', port: 22, region: 'eu-west-2' });
    expect(allow).toContain('allow my IP address 81.2.3.4/32 to reach the jump box on TCP port 22');
    expect(allow).toContain('Security group: sg-0123abcd');
    expect(allow).toContain('Inbound rule:   TCP 22 from 81.2.3.4/32');
    const remove = adminRequestText({ action: 'remove', ip: '81.2.3.4', groupId: 'sg-0123abcd', port: 22, region: 'eu-west-2', ruleCidr: '81.2.3.1/32' });
    expect(remove).toContain('remove my inbound rule for 81.2.3.1/32 on TCP port 22 from security group sg-0123abcd (region eu-west-2)');
  });
});
