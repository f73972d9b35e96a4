import { describe, expect, it } from 'vitest';
import { ProfileSchema } from '../shared/model/profile';
import type { TunnelState } from '../shared/model/tunnelState';
import { routeOf } from './route';
import type { DoctorReport } from './stores/doctor';

const profile = ProfileSchema.parse({
  id: 'prod',
  name: 'Prod',
  jumpHost: { host: 'bastion.example.com', port: 22, user: 'ec2-user', auth: { kind: 'agent' } },
  targets: [
    { id: 'orders', name: 'Orders', engine: 'mysql', remote: { kind: 'host', host: 'orders.internal', port: 3306 }, localPort: 13306 },
    { id: 'ledger', name: 'Ledger', engine: 'postgres', remote: { kind: 'host', host: 'ledger.internal', port: 5432 }, localPort: 15432 },
  ],
});
const counters = { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 };
const idle = (): TunnelState => ({ status: 'idle' });

function report(checks: Array<[DoctorReport['checks'][number]['id'], 'pass' | 'fail' | 'skip', string?]>): DoctorReport {
  return {
    checks: checks.map(([id, status, code]) => ({ id, title: id, status, detail: id, ...(code ? { error: { code: code as never, message: `${id} broke` } } : {}) })),
  };
}

describe('the route a connection takes', () => {
  it('is unknown everywhere before anything ran', () => {
    const route = routeOf(profile, idle, undefined);
    expect([route.computer.status, route.toJumpBox.status, route.jumpBox.status, route.targets[0]?.toDatabase.status]).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
  });

  it("puts the doctor's failure on its hop, and its passes before it", () => {
    const route = routeOf(profile, idle, { at: 10, report: report([['key', 'pass'], ['tcp', 'pass'], ['host-key', 'fail', 'HOST_KEY_MISMATCH'], ['auth', 'skip']]) });
    expect(route.computer.status).toBe('ok');
    expect(route.toJumpBox.status).toBe('ok');
    expect(route.jumpBox).toEqual({ status: 'bad', why: 'doctor: host-key broke' });
    expect(route.targets[0]?.toDatabase.status).toBe('unknown');
  });

  it('shows a question as waiting, not broken', () => {
    const route = routeOf(profile, idle, { at: 10, report: report([['key', 'fail', 'PASSPHRASE_REQUIRED']]) });
    expect(route.computer.status).toBe('waiting');
  });

  it('takes the newer word: an open tunnel after a failed doctor run is green on the shared hops; the doctor still speaks for the database it checked', () => {
    const states: Record<string, TunnelState> = { orders: { status: 'open', localPort: 13306, openedAt: 20, ...counters } };
    const route = routeOf(profile, (id) => states[id] ?? idle(), { at: 10, targetId: 'orders', report: report([['auth', 'fail', 'AUTH_FAILED'], ['db-greeting', 'fail']]) });
    expect([route.computer.status, route.toJumpBox.status, route.jumpBox.status]).toEqual(['ok', 'ok', 'ok']);
    expect(route.targets.map((target) => [target.name, target.toDatabase.status, target.database.status])).toEqual([
      ['Orders', 'ok', 'bad'],
      ['Ledger', 'unknown', 'unknown'],
    ]);
  });

  it('marks the hop a tunnel failed on, by its error, and a reconnect as the link to the jump box', () => {
    const failed: TunnelState = { status: 'failed', failedAt: 30, error: { code: 'ENDPOINT_UNREACHABLE', message: 'refused' } };
    const reconnecting: TunnelState = { status: 'reconnecting', localPort: 15432, attempt: 2, nextRetryAt: 40, lastError: { code: 'JUMP_HOST_LOST', message: 'lost' }, ...counters };
    const route = routeOf(profile, (id) => (id === 'orders' ? failed : reconnecting), undefined);
    expect(route.targets[0]?.toDatabase).toEqual({ status: 'bad', why: 'refused' });
    expect(route.toJumpBox).toEqual({ status: 'bad', why: 'reconnecting: lost' });
  });
});
