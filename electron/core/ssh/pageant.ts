import { execFile, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { Duplex } from 'node:stream';
import { installedRequire } from '../platform/installedRequire';
import { OpenSSHAgent } from './ssh2Parts';

/**
 * Pageant (PuTTY's agent) on Windows, through the small helper program ssh2 ships for it
 * (ssh2/util/pagent.exe): it takes one agent request on stdin (its length as the argument), hands
 * it to the Pageant window and prints the reply. ssh2's own `agent: 'pageant'` starts that helper
 * with spawn() from a path inside app.asar, which cannot run in a packaged Electron app (only
 * execFile is redirected to files unpacked beside the archive; see mscdex/ssh2#885). So Jumpgate
 * runs the helper itself, with execFile, and electron-builder.yml unpacks it.
 */

/** The helper's exit statuses (ssh2/util/pagent.c). 0 is a reply on stdout. */
const HELPER_STATUS: Record<number, string> = {
  1: 'Pageant gave no answer to the request',
  10: 'the Pageant helper was called wrongly',
  11: 'Pageant is not running',
  12: 'the Pageant helper could not share memory with Pageant',
  13: 'the Pageant helper could not read its input',
  14: 'the Pageant helper could not write its output',
  15: 'the Pageant helper got a truncated request',
};
export const PAGEANT_NOT_RUNNING = 11;

/** SSH_AGENTC_REQUEST_IDENTITIES, framed: the cheapest question that proves Pageant answers. */
const LIST_KEYS_REQUEST = Buffer.from([0, 0, 0, 1, 11]);

/** ssh2's helper, found from ssh2's own location (inside app.asar in the packaged app, which execFile handles). */
export function ssh2PageantHelper(): string {
  return join(dirname(installedRequire().resolve('ssh2')), '..', 'util', 'pagent.exe');
}

export class PageantError extends Error {
  constructor(
    message: string,
    /** The helper's exit status, when it ran. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** One framed agent request through the helper; resolves with the framed reply. */
export function pageantRequest(helper: string, request: Buffer, timeoutMs: number, started?: (child: ChildProcess) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      helper,
      [String(request.length)],
      { encoding: 'buffer', timeout: timeoutMs, windowsHide: true, maxBuffer: 1024 * 1024 },
      (error, stdout) => {
        if (error) {
          const status = typeof error.code === 'number' && !error.killed ? error.code : undefined;
          const why =
            status !== undefined
              ? (HELPER_STATUS[status] ?? `the Pageant helper exited with status ${status}`)
              : error.killed
                ? `Pageant did not answer within ${Math.round(timeoutMs / 1000)} s`
                : `the Pageant helper could not run (${String(error.code ?? error.message)})`;
          reject(new PageantError(why, status));
          return;
        }
        const reply = stdout as Buffer;
        if (reply.length < 4 || reply.length !== 4 + reply.readUInt32BE(0)) {
          reject(new PageantError("Pageant's reply was cut short"));
          return;
        }
        resolve(reply);
      },
    );
    started?.(child);
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(request);
  });
}

/**
 * The byte stream ssh2's agent protocol speaks over: each complete request written to it is
 * run through the helper and the reply pushed back. ssh2 opens one per operation (list keys,
 * sign) and destroys it when the reply is in.
 */
class PageantChannel extends Duplex {
  private pending = Buffer.alloc(0);
  private child: ChildProcess | undefined;

  constructor(
    private readonly helper: string,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  override _read(): void {
    // Replies are pushed as they arrive.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    if (this.pending.length < 4) return callback();
    const size = 4 + this.pending.readUInt32BE(0);
    if (this.pending.length < size) return callback();
    if (this.pending.length > size) return callback(new PageantError('more than one agent request at a time'));
    const request = this.pending;
    this.pending = Buffer.alloc(0);
    pageantRequest(this.helper, request, this.timeoutMs, (child) => {
      this.child = child;
    }).then(
      (reply) => {
        this.child = undefined;
        this.push(reply);
        callback();
      },
      (error: Error) => {
        this.child = undefined;
        callback(error);
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.child?.kill();
    callback(error);
  }
}

/** An ssh2 agent that talks to Pageant through the helper (ssh2 is handed the object, not 'pageant'). */
export class PageantAgent extends OpenSSHAgent {
  constructor(
    private readonly helper: string,
    private readonly timeoutMs = 60_000,
  ) {
    super('pageant');
  }

  override getStream(callback: (error?: Error | null, stream?: Duplex) => void): void {
    callback(null, new PageantChannel(this.helper, this.timeoutMs));
  }
}

/** Whether Pageant answers, and the agent that talks to it. */
export interface PageantAccess {
  /** Asks Pageant to list its keys: running, or the reason it is not reachable. */
  probe(): Promise<{ running: true } | { running: false; reason: string }>;
  agent(): OpenSSHAgent;
}

export interface PageantAccessOptions {
  /** The helper program; ssh2's pagent.exe unless a test puts a stand-in there. */
  helperPath?: string;
  /** How long a probe may take (Pageant answers a key listing at once when it runs). */
  probeTimeoutMs?: number;
}

export function createPageantAccess(options: PageantAccessOptions = {}): PageantAccess {
  const helper = (): string => options.helperPath ?? ssh2PageantHelper();
  return {
    probe: async () => {
      try {
        await pageantRequest(helper(), LIST_KEYS_REQUEST, options.probeTimeoutMs ?? 5_000);
        return { running: true };
      } catch (error) {
        return { running: false, reason: error instanceof Error ? error.message : String(error) };
      }
    },
    agent: () => new PageantAgent(helper()),
  };
}
