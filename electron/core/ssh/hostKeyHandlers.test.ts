import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsableKeyPair } from '../../../e2e/rig/keys';
import type { JumpgateBridge } from '../../../shared/bridge';
import { createDispatcher, invokerFor } from '../dispatcher';
import { createJumpgate, type Jumpgate } from '../service';

function ed25519Base64(): string {
  return parsableKeyPair('ed25519').public.split(' ')[1] ?? '';
}

/** A blob naming `type` whose body is not such a key. */
function junkBase64(type: string): string {
  const name = Buffer.from(type);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(name.length);
  return Buffer.concat([header, name, Buffer.from([0, 0, 0, 32]), randomBytes(32)]).toString('base64');
}

describe('hostKeys:trust through the dispatcher', () => {
  let dataDir: string;
  let jumpgate: Jumpgate;
  let dispatch: JumpgateBridge['invoke'];
  let knownHostsPath: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jumpgate-trust-'));
    knownHostsPath = join(dataDir, 'known_hosts');
    jumpgate = await createJumpgate({ dataDir, version: 'test' });
    dispatch = invokerFor(createDispatcher(jumpgate.handlers));
  });
  afterEach(async () => {
    await jumpgate.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Issue #17: a host with a newline wrote an extra line, a lasting pin of any key for any host.
  it.each([
    ['a newline in the host', { host: `jump.internal\n* ssh-ed25519 ${ed25519Base64()}`, port: 22, publicKey: ed25519Base64() }],
    ['a comma in the host', { host: 'jump.internal,*', port: 22, publicKey: ed25519Base64() }],
    ['a key of an unknown type', { host: 'jump.internal', port: 22, publicKey: junkBase64('ssh-foo') }],
    ['a blob too short to name a type', { host: 'jump.internal', port: 22, publicKey: Buffer.from('AAAAAAAAAAAAAAAAAAAA').toString('base64') }],
  ])('refuses %s at the contract with BAD_REQUEST and writes nothing', async (_what, request) => {
    const reply = await dispatch('hostKeys:trust', request);
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(existsSync(knownHostsPath)).toBe(false);
  });

  it('refuses a blob that names a known type but is not such a key, with a hint, and writes nothing', async () => {
    const reply = await dispatch('hostKeys:trust', { host: 'jump.internal', port: 22, publicKey: junkBase64('ssh-rsa') });
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', hint: expect.stringMatching(/exactly as Jumpgate presented it/) } });
    expect(existsSync(knownHostsPath)).toBe(false);
  });

  // Issue #17: two trusts at once lost one while both reported success (and were audited).
  it('keeps every key of twenty trusts sent at once, each reported trusted', async () => {
    const keys = Array.from({ length: 20 }, () => ed25519Base64());
    const replies = await Promise.all(keys.map((publicKey, index) => dispatch('hostKeys:trust', { host: `jump-${index}.internal`, port: 2200, publicKey })));
    // The refused ones, if any, with their errors: what went wrong shows in the failure itself.
    expect(replies.filter((reply) => !reply.ok)).toEqual([]);
    const lines = readFileSync(knownHostsPath, 'utf8').trim().split('\n');
    expect(lines.sort()).toEqual(keys.map((publicKey, index) => `[jump-${index}.internal]:2200 ssh-ed25519 ${publicKey}`).sort());
  });
});
