import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Why a path was not read: what sits there is not a regular file, or it is larger than the caller's cap. */
export class NotReadableFile extends Error {
  constructor(
    readonly reason: 'not-regular' | 'too-large',
    message: string,
  ) {
    super(message);
    this.name = 'NotReadableFile';
  }
}

/**
 * A small file's bytes, read with a bound and never waited on (issue #17). For paths the user
 * or a team file names (key files, settings): `/dev/zero` was read without end, and opening a
 * FIFO blocked a thread of libuv's pool until a writer came, which hung unrelated file requests.
 *
 * O_NONBLOCK makes opening a FIFO return at once (Windows has neither the flag nor FIFOs at a
 * path); fstat on the open handle (not the path, which could be swapped in between) refuses
 * anything but a regular file; one read of at most `maxBytes + 1` bytes tells a file over the
 * cap from one at it. Errors from open (ENOENT, EACCES, EISDIR...) pass through as they are.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      const what = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a named pipe' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a file';
      throw new NotReadableFile('not-regular', `it is not a regular file (${what})`);
    }
    if (stat.size > maxBytes) throw new NotReadableFile('too-large', `it is larger than ${maxBytes} bytes`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    // A regular file may return fewer bytes than asked; read until the end or past the cap.
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > maxBytes) {
        buffer.fill(0);
        throw new NotReadableFile('too-large', `it is larger than ${maxBytes} bytes`);
      }
    }
    const bytes = Buffer.from(buffer.subarray(0, filled));
    buffer.fill(0);
    return bytes;
  } finally {
    await handle.close();
  }
}
