import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_CHANNELS } from '../../shared/channels';
import { contract, ErrorInfoSchema } from '../../shared/contract';
import { createDispatcher, type Dispatch } from './dispatcher';
import { createJumpgate, type Jumpgate } from './service';

/** Payloads an attacker or a buggy front end might send: anything, and near-misses of real shapes. */
const hostile = fc.oneof(
  fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }),
  fc.record({ id: fc.anything(), name: fc.anything(), profile: fc.anything(), text: fc.anything() }, { requiredKeys: [] }),
  fc.record(
    { profileId: fc.string(), targetId: fc.string(), unlock: fc.anything(), host: fc.string(), port: fc.integer(), publicKey: fc.base64String() },
    { requiredKeys: [] },
  ),
  fc.constantFrom(
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    { id: 'x'.repeat(100_000) },
    { text: '\u0000'.repeat(1000) },
  ),
);

describe('dispatcher under garbage', () => {
  let dir: string;
  let jumpgate: Jumpgate;
  let dispatch: Dispatch;
  const unexpected: Array<{ channel: string; error: unknown }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-fuzz-'));
    // AWS points at a closed loopback port: fuzzing must never reach a real network.
    jumpgate = await createJumpgate({
      dataDir: dir,
      version: 'test',
      sshConfigPath: join(dir, 'no-ssh-config'),
      aws: { endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } },
    });
    dispatch = createDispatcher(jumpgate.handlers, (channel, error) => unexpected.push({ channel, error }));
  });
  afterAll(async () => {
    await jumpgate.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(REQUEST_CHANNELS)('%s answers every payload with a well-formed reply, never a throw', async (channel) => {
    await fc.assert(
      fc.asyncProperty(hostile, async (payload) => {
        const reply = await dispatch(channel, payload);
        if (reply.ok) {
          // Whatever got through must still honour the response schema.
          expect(contract[channel].response.safeParse(reply.value).success).toBe(true);
        } else {
          expect(ErrorInfoSchema.safeParse(reply.error).success).toBe(true);
          expect(reply.error.code).not.toBe('INTERNAL');
          expect(reply.error.message).not.toMatch(/\n\s+at /); // no stack traces
        }
      }),
      { numRuns: 150 },
    );
    expect(unexpected).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects unknown channels and non-string channel names with BAD_REQUEST', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string().filter((name) => !(REQUEST_CHANNELS as readonly string[]).includes(name)), fc.anything()),
        fc.anything(),
        async (channel, payload) => {
          const reply = await dispatch(channel, payload);
          expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('survives channel names whose toString throws (a counterexample fast-check found)', async () => {
    const hostileName = { toString: [] } as unknown;
    expect(await dispatch(hostileName, [])).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: 'Unknown channel of type object.' } });
    const throwing = { toString: () => { throw new Error('boom'); } } as unknown;
    expect(await dispatch(throwing, {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('names the offending field in BAD_REQUEST', async () => {
    const reply = await dispatch('tunnels:start', { profileId: 'p', targetId: 7 });
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(!reply.ok && reply.error.message).toMatch(/targetId/);
  });
});
