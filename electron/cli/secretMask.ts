import { Transform, type TransformCallback } from 'node:stream';

/**
 * Replace every occurrence of the given secrets in a byte stream with `****`,
 * including occurrences split across chunks (like `op run`). The last
 * (longest secret - 1) bytes are held back until more data or the end proves
 * they are not the start of a secret.
 */
export class SecretMask extends Transform {
  private readonly needles: Buffer[];
  private readonly hold: number;
  private pending: Buffer = Buffer.alloc(0);

  constructor(secrets: readonly string[], private readonly replacement = Buffer.from('****')) {
    super();
    this.needles = [...new Set(secrets.filter((secret) => secret.length > 0))]
      .map((secret) => Buffer.from(secret, 'utf8'))
      .sort((a, b) => b.length - a.length);
    this.hold = Math.max(0, ...this.needles.map((needle) => needle.length - 1));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const data = Buffer.concat([this.pending, chunk]);
    const { output, rest } = this.mask(data, false);
    this.pending = rest;
    if (output.length > 0) this.push(output);
    done();
  }

  override _flush(done: TransformCallback): void {
    const { output } = this.mask(this.pending, true);
    this.pending = Buffer.alloc(0);
    if (output.length > 0) this.push(output);
    done();
  }

  private mask(data: Buffer, final: boolean): { output: Buffer; rest: Buffer } {
    const parts: Buffer[] = [];
    let start = 0;
    let position = 0;
    // Bytes from `safeEnd` on could still begin a secret that the next chunk completes.
    const safeEnd = final ? data.length : Math.max(0, data.length - this.hold);
    while (position < data.length) {
      const needle = this.needles.find((candidate) => data.length - position >= candidate.length && data.subarray(position, position + candidate.length).equals(candidate));
      if (needle) {
        parts.push(data.subarray(start, position), this.replacement);
        position += needle.length;
        start = position;
        continue;
      }
      if (position >= safeEnd) break;
      position += 1;
    }
    const cut = Math.max(start, Math.min(position, safeEnd));
    parts.push(data.subarray(start, cut));
    return { output: Buffer.concat(parts), rest: Buffer.from(data.subarray(cut)) };
  }
}
