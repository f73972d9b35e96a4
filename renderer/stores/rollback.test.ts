import { describe, expect, it } from 'vitest';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf } from '../../shared/contract';
import { createStores } from './createStores';
import { restoreKey } from './rollback';

type Progress = EventOf<'aws:restoreProgress'>;

/** The window's stores over a bridge whose restore answers when the test says, and whose progress events the test sends. */
function fakeBridge() {
  let emit: (event: Progress) => void = () => undefined;
  let answer: (reply: unknown) => void = () => undefined;
  const bridge = {
    invoke: (channel: string) =>
      channel === 'aws:restoreSnapshot' ? new Promise((resolve) => (answer = resolve)) : Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'not in this test' } }),
    on: (_channel: string, listener: (event: Progress) => void) => {
      emit = listener;
      return () => undefined;
    },
    onStatus: (listener: (status: 'connected') => void) => {
      listener('connected');
      return () => undefined;
    },
  } as unknown as JumpgateBridge;
  // The rollback store as the window builds it: from the bridge, with the stores it depends on.
  const { useRollback } = createStores(bridge);
  return { useRollback, emit: (event: Progress) => emit(event), answer: (reply: unknown) => answer(reply) };
}

const snapshot = { kind: 'instance' as const, identifier: 'orders-before', sourceIdentifier: 'orders', status: 'available', engine: 'mysql' };
const progress = (seq: number, phase: Progress['phase'], status: string, elapsedMs: number): Progress => ({ seq, profileId: 'prod', phase, identifier: 'orders-copy', status, elapsedMs });

describe('the rollback store', () => {
  it('follows a restore through its numbered progress events, ignoring stale ones, to the endpoint', async () => {
    const { useRollback, emit, answer } = fakeBridge();
    const stop = useRollback.getState().init();
    const done = useRollback.getState().restore({ profileId: 'prod', targetId: 'orders' }, snapshot, 'Orders-Copy');
    const job = () => useRollback.getState().restores[restoreKey('prod', 'orders-copy')];
    expect(job()).toMatchObject({ phase: 'starting', sourceTargetId: 'orders', snapshotIdentifier: 'orders-before' });

    emit(progress(1, 'requested', 'creating', 0));
    emit(progress(2, 'creating', 'creating', 15_000));
    emit(progress(3, 'creating', 'backing-up', 30_000));
    // Delivered twice or late: already applied, so nothing moves back.
    emit(progress(2, 'creating', 'creating', 15_000));
    expect(job()).toMatchObject({ phase: 'creating', status: 'backing-up', elapsedMs: 30_000, polls: 2 });

    const endpoint = { host: 'orders-copy.abc.eu-west-2.rds.amazonaws.com', port: 3306 };
    emit({ ...progress(4, 'available', 'available', 45_000), endpoint });
    answer({ ok: true, value: { kind: 'instance', identifier: 'orders-copy', instanceIdentifier: 'orders-copy', snapshotIdentifier: 'orders-before', sourceIdentifier: 'orders', engine: 'mysql', endpoint } });
    await done;
    expect(job()).toMatchObject({ phase: 'available', endpoint, polls: 2 });
    stop();
  });

  it('keeps a refused restore with its error until it is dismissed', async () => {
    const { useRollback, answer } = fakeBridge();
    const done = useRollback.getState().restore({ profileId: 'prod', targetId: 'orders' }, snapshot, 'orders');
    answer({ ok: false, error: { code: 'BAD_REQUEST', message: '"orders" is the DB instance the snapshot was taken of.' } });
    await done;
    expect(useRollback.getState().restores[restoreKey('prod', 'orders')]).toMatchObject({ phase: 'failed', error: { code: 'BAD_REQUEST' } });
    useRollback.getState().dismiss('prod', 'orders');
    expect(useRollback.getState().restores[restoreKey('prod', 'orders')]).toBeUndefined();
  });
});
