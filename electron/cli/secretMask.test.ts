import { once } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { secretEncodings } from './secretEncodings';
import { SecretMask, type SecretMaskOptions } from './secretMask';

async function run(secrets: readonly string[], chunks: readonly Buffer[], options: SecretMaskOptions = { idleFlushMs: null }): Promise<Buffer> {
  const mask = new SecretMask(secrets, options);
  const out: Buffer[] = [];
  mask.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(mask, 'end');
  for (const chunk of chunks) mask.write(chunk);
  mask.end();
  await ended;
  return Buffer.concat(out);
}

/**
 * What the mask must write, computed the slow and obvious way: every byte inside
 * any occurrence of any secret is hidden, each unbroken stretch of hidden bytes
 * becomes one `****`.
 */
function reference(input: Buffer, secrets: readonly string[]): Buffer {
  const hidden = new Uint8Array(input.length);
  for (const secret of secrets) {
    const needle = Buffer.from(secret);
    if (needle.length === 0) continue;
    for (let at = input.indexOf(needle); at !== -1; at = input.indexOf(needle, at + 1)) hidden.fill(1, at, at + needle.length);
  }
  const parts: Buffer[] = [];
  for (let index = 0; index < input.length; index++) {
    if (!hidden[index]) parts.push(input.subarray(index, index + 1));
    else if (index === 0 || !hidden[index - 1]) parts.push(Buffer.from('****'));
  }
  return Buffer.concat(parts);
}

function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks.filter((chunk) => chunk.length > 0);
}

describe('SecretMask', () => {
  it('masks a secret in one chunk and split at every byte boundary', async () => {
    const secrets = ['p@ss:w/rd%'];
    expect((await run(secrets, [Buffer.from('url=mysql://u:p@ss:w/rd%@127.0.0.1\n')])).toString()).toBe('url=mysql://u:****@127.0.0.1\n');
    const text = Buffer.from('before p@ss:w/rd% after');
    for (let split = 1; split < text.length; split++) {
      expect((await run(secrets, [text.subarray(0, split), text.subarray(split)])).toString()).toBe('before **** after');
    }
  });

  it('masks every encoding of a password split at every byte boundary across two chunks', async () => {
    for (const [password, username] of [
      ['p@ss w/rd:é😀<&>"\\+~*!', 'app_user'],
      ['Tr0ub4dor&3', 'admin'],
      ['with space and + plus', 'u'],
    ] as const) {
      const encodings = secretEncodings(password, username);
      for (const encoding of encodings) {
        const text = Buffer.from(`[${encoding}]`);
        for (let split = 0; split <= text.length; split++) {
          const masked = await run(encodings, [text.subarray(0, split), text.subarray(split)]);
          expect(masked.toString(), `${encoding} split at ${split}`).toBe('[****]');
        }
      }
    }
  });

  it('writes out at once what cannot begin a secret: a prompt is not held back', async () => {
    const mask = new SecretMask(secretEncodings('hunter2!'), { idleFlushMs: null });
    const out: Buffer[] = [];
    mask.on('data', (chunk: Buffer) => out.push(chunk));
    mask.write('Apply 3 pending migrations to PRODUCTION? [y/N] ');
    // The transform runs synchronously on write: nothing waits for more input or the end.
    expect(Buffer.concat(out).toString()).toBe('Apply 3 pending migrations to PRODUCTION? [y/N] ');
    // Only the tail that could begin the password waits: `hun`, not a fixed longest-secret-minus-one.
    mask.write('typed: hun');
    expect(Buffer.concat(out).toString()).toBe('Apply 3 pending migrations to PRODUCTION? [y/N] typed: ');
    mask.write('ter2!\n');
    expect(Buffer.concat(out).toString()).toBe('Apply 3 pending migrations to PRODUCTION? [y/N] typed: ****\n');
    mask.destroy();
  });

  it('after a short idle writes out what it held, and still hides the rest of a secret that then arrives', async () => {
    const mask = new SecretMask(['hunter2!'], { idleFlushMs: 20 });
    const out: Buffer[] = [];
    mask.on('data', (chunk: Buffer) => out.push(chunk));
    mask.write('Password hint: hun');
    expect(Buffer.concat(out).toString()).toBe('Password hint: ');
    await once(mask, 'data');
    expect(Buffer.concat(out).toString()).toBe('Password hint: hun');
    mask.end('ter2! ok\n');
    await once(mask, 'end');
    expect(Buffer.concat(out).toString()).toBe('Password hint: hun**** ok\n');
  });

  it('hides overlapping and touching occurrences as one stretch, the same however the input is cut', async () => {
    const secrets = ['abab', 'ba', 'xyz'];
    const text = Buffer.from('-ababab-xyzxyz-b-abxyz-');
    const expected = reference(text, secrets).toString();
    expect(expected).toBe('-****-****-b-ab****-');
    for (let first = 0; first <= text.length; first++) {
      for (let second = first; second <= text.length; second++) {
        expect((await run(secrets, chunked(text, [first, second]))).toString()).toBe(expected);
      }
    }
  });

  it('passes bytes through unchanged when there is no secret, or the secret never occurs', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, index) => (index * 7919) % 256));
    expect((await run([], [bytes])).equals(bytes)).toBe(true);
    expect((await run(secretEncodings('not-in-there'), chunked(bytes, [1, 4096, 65_536]))).equals(bytes)).toBe(true);
  });

  it('property: long text of needle fragments (near misses everywhere) is masked exactly where a whole needle stands', async () => {
    // Fragments of the needles, so windows the scan would like to skip keep looking like secrets.
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', minLength: 4, maxLength: 16 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (secret, picks, cuts) => {
          const encodings = secretEncodings(secret, 'user');
          const input = Buffer.from(
            picks
              .map(([which, from, length, noise]) => {
                const needle = encodings[which % encodings.length] as string;
                const start = from % needle.length;
                return needle.slice(start, start + (length % (needle.length + 1))) + noise;
              })
              .join(''),
          );
          expect((await run(encodings, chunked(input, cuts))).equals(reference(input, encodings))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: random passwords in random encodings, text and chunking: only the occurrences go, and none of them shows', async () => {
    const passwordChar = fc.oneof(
      fc.constantFrom(...':/@?#[]!$&\'()*+,;=% "\\<>{}|^`~.-_'.split('')),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    );
    const password = fc.array(passwordChar, { minLength: 1, maxLength: 24 }).map((chars) => chars.join(''));
    await fc.assert(
      fc.asyncProperty(
        password,
        fc.option(fc.string({ unit: 'grapheme-ascii', maxLength: 8 }), { nil: undefined }),
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.nat()), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (secret, username, pieces, cuts) => {
          const encodings = secretEncodings(secret, username);
          // Plain text with an encoding of the password after each piece.
          const input = Buffer.from(pieces.map(([text, pick]) => text + (encodings[pick % encodings.length] as string)).join(''));
          const masked = await run(encodings, chunked(input, cuts));
          expect(masked.equals(reference(input, encodings))).toBe(true);
          // `****` next to text could spell a secret that itself contains `*`.
          if (!encodings.some((encoding) => encoding.includes('*'))) {
            for (const encoding of encodings) expect(masked.includes(Buffer.from(encoding))).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
