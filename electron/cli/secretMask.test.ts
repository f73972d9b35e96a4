import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretMask } from './secretMask';

async function run(secrets: string[], chunks: Buffer[]): Promise<string> {
  const mask = new SecretMask(secrets);
  const out: Buffer[] = [];
  mask.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => mask.on('end', resolve));
  for (const chunk of chunks) mask.write(chunk);
  mask.end();
  await ended;
  return Buffer.concat(out).toString('utf8');
}

describe('SecretMask', () => {
  it('masks a secret in one chunk and across chunk boundaries', async () => {
    expect(await run(['p@ss:w/rd%'], [Buffer.from('url=mysql://u:p@ss:w/rd%@127.0.0.1\n')])).toBe('url=mysql://u:****@127.0.0.1\n');
    const text = Buffer.from('before p@ss:w/rd% after');
    for (let split = 1; split < text.length; split++) {
      expect(await run(['p@ss:w/rd%'], [text.subarray(0, split), text.subarray(split)])).toBe('before **** after');
    }
  });

  it('masks the encoded form too, longest first, and leaves other text byte-exact', async () => {
    expect(await run(['a b', 'a%20b'], [Buffer.from('x a b y a%20b z')])).toBe('x **** y **** z');
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 6, maxLength: 20 }).filter((secret) => !secret.includes('*')), fc.array(fc.string()), fc.integer({ min: 1, max: 7 }), async (secret, pieces, size) => {
        const text = pieces.join(secret);
        const bytes = Buffer.from(text);
        const chunks: Buffer[] = [];
        for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
        const masked = await run([secret], chunks);
        expect(masked).not.toContain(secret);
        if (!pieces.some((piece) => piece.length > 0 && (piece + secret).includes(secret.slice(1)))) {
          expect(masked).toBe(pieces.join('****'));
        }
      }),
      { numRuns: 200 },
    );
  });
});
