import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { peerPath } from './peers';

/**
 * A client that reads a stream to its end the way a C program does (mysqldump, psql, pg_dump:
 * recv() until 0 or an error), for tests about how a stream ends. A Node client cannot tell:
 * libuv reports a TCP reset that arrives together with data as a clean end (POLLHUP after a
 * partial read), so a truncated stream looks complete to it whatever the sender did.
 *
 * The reader stops reading after `pauseAfter` bytes (its buffers fill, the sender is held back)
 * until `resume()`, so a test can break the path mid-stream at a known point.
 */
export interface RawReader {
  /** Resolves with the bytes read when it has paused. */
  paused: Promise<number>;
  resume(): void;
  /** How the stream ended: 'eof' (an orderly end) or 'reset' (ECONNRESET), with the bytes read. */
  outcome: Promise<{ how: 'eof' | 'reset'; bytes: number }>;
}

const SCRIPT = `
import socket, sys
port, pause_after = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(('127.0.0.1', port))
n, paused = 0, False
try:
    while True:
        if not paused and n >= pause_after:
            paused = True
            print('paused', n, flush=True)
            sys.stdin.readline()
        data = s.recv(65536)
        if not data:
            print('eof', n, flush=True)
            break
        n += len(data)
except ConnectionResetError:
    print('reset', n, flush=True)
`;

export function startRawReader(port: number, pauseAfter: number): RawReader {
  const child = spawn(peerPath('python3'), ['-c', SCRIPT, String(port), String(pauseAfter)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  let pausedAt: (bytes: number) => void = () => undefined;
  let ended: (result: { how: 'eof' | 'reset'; bytes: number }) => void = () => undefined;
  let failed: (error: Error) => void = () => undefined;
  const paused = new Promise<number>((resolve, reject) => {
    pausedAt = resolve;
    lines.once('close', () => reject(new Error('the reader ended before pausing')));
  });
  const outcome = new Promise<{ how: 'eof' | 'reset'; bytes: number }>((resolve, reject) => {
    ended = resolve;
    failed = reject;
  });
  lines.on('line', (line) => {
    const [word, count] = line.split(' ');
    const bytes = Number(count);
    if (word === 'paused') pausedAt(bytes);
    else if (word === 'eof' || word === 'reset') ended({ how: word, bytes });
  });
  lines.once('close', () => failed(new Error('the reader ended without saying how the stream ended')));
  return { paused, outcome, resume: () => child.stdin.end('\n') };
}
