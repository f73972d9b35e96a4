import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOpenSshKey, makePuttyKey } from '../../e2e/rig/keys';
import { peersAvailable } from '../../e2e/rig/peers';
import { JumpgateError, type ErrorCode } from '../../shared/model/errors';
import { PROFILES_SCHEMA_VERSION } from '../../shared/model/profile';
import { exampleProfile } from './profiles/exampleProfile';
import { ProfileStore } from './profiles/profileStore';
import { importSshConfig } from './profiles/sshConfigImport';
import { exportTeamFile, planImport } from './profiles/teamFile';
import { parsePrivateKey } from './ssh/keyLoader';

/**
 * Issue #17's fuzz run: hostile and damaged input to every parser a user's files reach (the
 * profiles file, a team file, ~/.ssh/config, private keys) ends in a coded error or a result,
 * never an uncoded throw (INTERNAL for the user), never a hang, never memory that keeps growing.
 * The seed is fixed so a failure is reproducible; fast-check prints the shrunk case.
 */

/** Longer than any one case may take: a case that needs it has hung (a KDF, a regex, a loop). */
const CASE_BOUND_MS = 10_000;
/** Heap growth allowed over a whole run: the cases' garbage is collectable, a leak is not. */
const HEAP_GROWTH_BOUND = 96 * 1024 * 1024;
const SEED = 20261204;

/** The outcome of one case: what it returned, or the code of the coded error it threw. */
async function outcome<T>(run: () => T | Promise<T>): Promise<{ value: T } | { code: ErrorCode }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`a case took more than ${CASE_BOUND_MS} ms: a hang`)), CASE_BOUND_MS);
  });
  try {
    return { value: await Promise.race([Promise.resolve().then(run), hang]) };
  } catch (error) {
    // Anything but a coded error is what the user would see as INTERNAL: the property fails on it.
    if (!(error instanceof JumpgateError)) throw error;
    return { code: error.code };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a property and bounds the heap growth over all of its cases. */
async function fuzz<T>(arbitrary: fc.Arbitrary<T>, check: (input: T) => Promise<void>, numRuns: number): Promise<void> {
  const before = process.memoryUsage().heapUsed;
  await fc.assert(fc.asyncProperty(arbitrary, check), { numRuns, seed: SEED, endOnFailure: true });
  expect(process.memoryUsage().heapUsed - before).toBeLessThan(HEAP_GROWTH_BOUND);
}

/** Byte-level damage to a valid text: flips, cuts, duplicated and inserted runs, as disks and editors cause. */
function damaged(valid: Buffer): fc.Arbitrary<Buffer> {
  const position = fc.nat({ max: Math.max(0, valid.length - 1) });
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: position }),
    fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    fc.record({ kind: fc.constant('repeat' as const), at: position, length: fc.integer({ min: 1, max: 256 }), times: fc.integer({ min: 2, max: 64 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let bytes = Buffer.from(valid);
    for (const change of edits) {
      const at = Math.min(change.at, bytes.length);
      if (change.kind === 'flip') bytes[at] = change.value;
      else if (change.kind === 'cut') bytes = bytes.subarray(0, at);
      else if (change.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]);
      else bytes = Buffer.concat([bytes.subarray(0, at), ...Array.from({ length: change.times }, () => bytes.subarray(at, at + change.length)), bytes.subarray(at)]);
    }
    return bytes;
  });
}

/** Nesting far deeper than any real file, a classic way to exhaust a recursive parser's stack. */
const deepNesting = fc.integer({ min: 1_000, max: 200_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));

describe('hostile input to the parsers of user files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-fuzz-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the profiles file: loads, or is moved aside whole and reported as PROFILES_CORRUPT; nothing lost', async () => {
    const valid = Buffer.from(JSON.stringify({ schemaVersion: PROFILES_SCHEMA_VERSION, revision: 3, revisions: { [exampleProfile().id]: 3 }, profiles: [exampleProfile()] }, null, 2));
    const text = fc.oneof(damaged(valid), fc.json().map((json) => Buffer.from(json)), fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)), deepNesting.map((nested) => Buffer.from(nested)));
    let run = 0;
    await fuzz(
      text,
      async (bytes) => {
        const caseDir = join(dir, `profiles-${run++}`);
        mkdirSync(caseDir);
        const path = join(caseDir, 'profiles.json');
        writeFileSync(path, bytes);
        const result = await outcome(() => new ProfileStore({ path }).load());
        expect('value' in result, `coded error ${'code' in result ? result.code : ''}`).toBe(true);
        if (!('value' in result)) return;
        const { problem } = result.value;
        if (problem) {
          expect(problem.code).toBe('PROFILES_CORRUPT');
          // The damaged file is kept byte for byte where the report says.
          const kept = readdirSync(caseDir).find((name) => name.startsWith('profiles.json.corrupt-'));
          expect(kept).toBeDefined();
          expect(readFileSync(join(caseDir, kept as string)).equals(bytes)).toBe(true);
        }
        await rm(caseDir, { recursive: true, force: true });
      },
      150,
    );
  });

  it('a team file: a plan, or IMPORT_INVALID', async () => {
    const valid = Buffer.from(exportTeamFile([exampleProfile()], new Date('2026-12-04T00:00:00Z')));
    const text = fc.oneof(damaged(valid).map((bytes) => bytes.toString('utf8')), fc.json(), fc.string({ maxLength: 2048 }), deepNesting);
    await fuzz(
      text,
      async (input) => {
        const result = await outcome(() => planImport([exampleProfile()], input));
        if ('code' in result) expect(result.code).toBe('IMPORT_INVALID');
      },
      300,
    );
  });

  it('~/.ssh/config: the hosts it could read, or IMPORT_INVALID', async () => {
    const word = fc.oneof(
      fc.constantFrom('Host', 'HostName', 'User', 'Port', 'IdentityFile', 'ProxyJump', 'Match', 'Include', 'host', 'PORT', '*', '!', '"', '=', '\t', '%h', '~/', '[::1]', 'a@b:22'),
      fc.string({ maxLength: 24 }),
      fc.integer({ min: -1, max: 99_999 }).map(String),
    );
    const line = fc.tuple(fc.array(word, { maxLength: 6 }), fc.constantFrom(' ', '=', ' = ', '\t'), fc.constantFrom('', '  ', '\t')).map(([words, separator, indent]) => indent + words.join(separator));
    const config = fc.oneof(fc.array(line, { maxLength: 40 }).map((lines) => lines.join('\n')), fc.string({ maxLength: 2048 }), fc.constant('Host a\n  ProxyJump a\n'), fc.constant('Host "unterminated\n'));
    await fuzz(
      config,
      async (text) => {
        const result = await outcome(() => importSshConfig(text, { home: '/home/fuzz', defaultUser: 'fuzz' }));
        if ('code' in result) expect(result.code).toBe('IMPORT_INVALID');
      },
      400,
    );
  });

  describe.skipIf(!peersAvailable('ssh-keygen', 'puttygen'))('private keys', () => {
    const KEY_CODES: ErrorCode[] = ['KEY_UNREADABLE', 'PASSPHRASE_REQUIRED', 'BAD_PASSPHRASE', 'KEY_KDF_TOO_EXPENSIVE'];
    let keys: Array<{ label: string; bytes: Buffer; passphrase?: string }>;

    beforeAll(async () => {
      const keyDir = join(dir, 'keys');
      mkdirSync(keyDir);
      const [ed25519, rsaPem, ecdsaPkcs8, lockedOpenSsh, ppk2, lockedPpk2, ppk3, lockedPpk3] = await Promise.all([
        makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' }),
        makeOpenSshKey(keyDir, { type: 'rsa', format: 'pem', bits: 1024 }),
        makeOpenSshKey(keyDir, { type: 'ecdsa', format: 'pkcs8' }),
        makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh', passphrase: 'fuzz', rounds: 1 }),
        makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 2 }),
        makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 2, passphrase: 'fuzz' }),
        makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 3 }),
        makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 3, passphrase: 'fuzz', ppkParams: 'kdf=argon2id,memory=1024,passes=1' }),
      ]);
      const read = (key: { privatePath: string }): Buffer => readFileSync(key.privatePath);
      // Encrypted keys are asked without a passphrase (the header is read, no KDF runs) or, for
      // PPK v2 whose KDF is one SHA-1, with a wrong one: a damaged KDF cost field must be refused
      // by its bound, and a KDF within bounds is the KDF worker's business, with its own timeout.
      keys = [
        { label: 'openssh ed25519', bytes: read(ed25519) },
        { label: 'pem rsa', bytes: read(rsaPem) },
        { label: 'pkcs8 ecdsa', bytes: read(ecdsaPkcs8) },
        { label: 'openssh ed25519, encrypted', bytes: read(lockedOpenSsh) },
        { label: 'ppk v2', bytes: read(ppk2) },
        { label: 'ppk v2, encrypted', bytes: read(lockedPpk2), passphrase: 'not it' },
        { label: 'ppk v3', bytes: read(ppk3) },
        { label: 'ppk v3, encrypted', bytes: read(lockedPpk3) },
      ];
      // Each base key loads as it is: the damage is what the run tests.
      for (const key of keys) {
        const result = await outcome(() => parsePrivateKey(key.bytes, key.passphrase === undefined ? {} : { passphrase: key.passphrase }));
        expect('value' in result || ('code' in result && ['PASSPHRASE_REQUIRED', 'BAD_PASSPHRASE'].includes(result.code)), key.label).toBe(true);
      }
    });

    it('damaged key files end in a key or a coded key error', async () => {
      const damagedKey = fc.integer({ min: 0, max: 7 }).chain((index) => damaged((keys[index] as { bytes: Buffer }).bytes).map((bytes) => ({ key: keys[index] as (typeof keys)[number], bytes })));
      await fuzz(
        damagedKey,
        async ({ key, bytes }) => {
          const result = await outcome(() => parsePrivateKey(bytes, { sourceName: 'fuzz.key', ...(key.passphrase === undefined ? {} : { passphrase: key.passphrase }) }));
          if ('code' in result) expect(KEY_CODES, `${key.label}: ${result.code}`).toContain(result.code);
        },
        400,
      );
    });
  });
});
