import { createHash } from 'node:crypto';

/**
 * The bytes every benchmark moves: a 1 MiB block, derived from a fixed seed so
 * the source/sink server and the client agree without sharing memory, repeated.
 * Receivers compare against it (memcmp speed) to prove every byte arrived intact.
 */
export const BLOCK_SIZE = 1024 * 1024;

function makeBlock(): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  for (let i = 0; i < BLOCK_SIZE / 32; i++) {
    createHash('sha256').update(`jumpgate-bench-${i}`).digest().copy(block, i * 32);
  }
  return block;
}

export const PATTERN = makeBlock();

/** Checks a stream against the pattern, starting at `offset`, chunk by chunk. */
export class PatternVerifier {
  private position: number;
  received = 0;
  intact = true;

  constructor(offset = 0) {
    this.position = offset % BLOCK_SIZE;
  }

  update(chunk: Buffer): void {
    this.received += chunk.length;
    if (!this.intact) return;
    let done = 0;
    while (done < chunk.length) {
      const take = Math.min(chunk.length - done, BLOCK_SIZE - this.position);
      if (chunk.compare(PATTERN, this.position, this.position + take, done, done + take) !== 0) {
        this.intact = false;
        return;
      }
      done += take;
      this.position = (this.position + take) % BLOCK_SIZE;
    }
  }
}

/** Slices of the pattern covering `length` bytes from `offset`, for writing without copies. */
export function* patternSlices(length: number, offset = 0, sliceSize = 256 * 1024): Generator<Buffer> {
  let position = offset % BLOCK_SIZE;
  let left = length;
  while (left > 0) {
    const take = Math.min(left, sliceSize, BLOCK_SIZE - position);
    yield PATTERN.subarray(position, position + take);
    left -= take;
    position = (position + take) % BLOCK_SIZE;
  }
}
