import { describe, expect, it } from 'vitest';
import type { JumpgateBridge } from '../../shared/bridge';
import type { ResponseOf } from '../../shared/contract';
import { NOT_ASKED, remoteCall, type Remote } from './remoteCall';

type Discovery = ResponseOf<'aws:listDatabases'>;

/** A bridge whose calls answer in whatever order the test says: each call waits until the test replies to it. */
function heldBridge() {
  const calls: Array<{ channel: string; request: unknown; reply: (reply: unknown) => void }> = [];
  const bridge = {
    invoke: (channel: string, request: unknown) => new Promise((reply) => calls.push({ channel, request, reply })),
    on: () => () => undefined,
  } as unknown as JumpgateBridge;
  return { bridge, calls };
}

/** A slot as a store keeps one: each change the helper reports is merged in. */
function slot<T>() {
  let state: Remote<T> = NOT_ASKED;
  const seen: Array<Remote<T>> = [];
  return {
    update: (change: Partial<Remote<T>>) => {
      state = { ...state, ...change };
      seen.push(state);
    },
    get: () => state,
    seen,
  };
}

const discovery = (region: string): Discovery => ({ region, databases: [], unsupported: [] }) as unknown as Discovery;

describe('remoteCall', () => {
  it('sends the request on its channel and hands back the reply as it is', async () => {
    const { bridge, calls } = heldBridge();
    const reply = remoteCall(bridge, 'app:info').send({});
    expect(calls).toMatchObject([{ channel: 'app:info', request: {} }]);
    calls[0]?.reply({ ok: true, value: { version: '1.0.0' } });
    await expect(reply).resolves.toEqual({ ok: true, value: { version: '1.0.0' } });
  });

  it('tracks a call from pending to its value', async () => {
    const { bridge, calls } = heldBridge();
    const list = slot<Discovery>();
    const done = remoteCall(bridge, 'aws:listDatabases').track('prod', { profileId: 'prod' }, list.update);
    expect(list.get()).toEqual({ pending: true, value: undefined, error: undefined });
    calls[0]?.reply({ ok: true, value: discovery('eu-west-2') });
    await expect(done).resolves.toMatchObject({ ok: true, latest: true });
    expect(list.get()).toEqual({ pending: false, value: discovery('eu-west-2'), error: undefined });
  });

  it('tracks a call from pending to its error, keeping the last value on screen', async () => {
    const { bridge, calls } = heldBridge();
    const call = remoteCall(bridge, 'aws:listDatabases');
    const list = slot<Discovery>();
    const first = call.track('prod', { profileId: 'prod' }, list.update);
    calls[0]?.reply({ ok: true, value: discovery('eu-west-2') });
    await first;
    const second = call.track('prod', { profileId: 'prod' }, list.update);
    expect(list.get()).toEqual({ pending: true, value: discovery('eu-west-2'), error: undefined });
    const expired = { code: 'AWS_CREDENTIALS_EXPIRED', message: 'Your AWS session has expired.', hint: 'Run aws sso login.' };
    calls[1]?.reply({ ok: false, error: expired });
    await expect(second).resolves.toMatchObject({ ok: false, latest: true });
    expect(list.get()).toEqual({ pending: false, value: discovery('eu-west-2'), error: expired });
  });

  it('lets the later call win when the earlier one answers last', async () => {
    const { bridge, calls } = heldBridge();
    const call = remoteCall(bridge, 'aws:listDatabases');
    const list = slot<Discovery>();
    const slow = call.track('prod', { profileId: 'prod', region: 'eu-west-1' }, list.update);
    const fast = call.track('prod', { profileId: 'prod', region: 'us-east-1' }, list.update);
    calls[1]?.reply({ ok: true, value: discovery('us-east-1') });
    await expect(fast).resolves.toMatchObject({ latest: true });
    calls[0]?.reply({ ok: true, value: discovery('eu-west-1') });
    // The late reply is still returned to its caller, marked as stale, and never reaches the slot.
    await expect(slow).resolves.toMatchObject({ ok: true, latest: false, value: discovery('eu-west-1') });
    expect(list.get()).toEqual({ pending: false, value: discovery('us-east-1'), error: undefined });
    expect(list.seen.map((state) => state.pending)).toEqual([true, true, false]);
  });

  it('keeps calls for different keys apart', async () => {
    const { bridge, calls } = heldBridge();
    const call = remoteCall(bridge, 'aws:listDatabases');
    const prod = slot<Discovery>();
    const staging = slot<Discovery>();
    const first = call.track('prod', { profileId: 'prod' }, prod.update);
    const second = call.track('staging', { profileId: 'staging' }, staging.update);
    calls[1]?.reply({ ok: true, value: discovery('eu-west-1') });
    calls[0]?.reply({ ok: true, value: discovery('eu-west-2') });
    await Promise.all([first, second]);
    expect(prod.get().value).toEqual(discovery('eu-west-2'));
    expect(staging.get().value).toEqual(discovery('eu-west-1'));
  });
});
