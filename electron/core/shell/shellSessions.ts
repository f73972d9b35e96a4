import { randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { JumpgateError, toErrorInfo, type ErrorInfo } from '../../../shared/model/errors';
import type { JumpHost } from '../../../shared/model/jumpHost';
import type { ConnectionTuning, JumpHostLease, JumpHostPool } from '../ssh/jumpHostPool';

export type ShellEvent =
  | { kind: 'output'; shellId: string; data: string }
  | { kind: 'exit'; shellId: string; exitCode?: number; signal?: string; error?: ErrorInfo };

export interface TerminalSize {
  cols: number;
  rows: number;
}

interface Session {
  channel: ClientChannel;
  lease: JumpHostLease;
  closed: boolean;
}

/** Shells one user may keep open at once; each holds a channel and a lease on a connection. */
const MAX_SESSIONS = 8;

/**
 * Interactive shells on jump boxes, each a channel of the same pooled SSH
 * connection the tunnels use: opening one costs no new login, and closing one
 * (or the shell exiting) leaves the tunnels alone. Output goes out as events,
 * decoded as UTF-8 across chunk boundaries so a split character is never mangled.
 */
export class ShellSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly pool: JumpHostPool,
    private readonly emit: (event: ShellEvent) => void,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  async open(jumpHost: JumpHost, size: TerminalSize, tuning: ConnectionTuning = {}): Promise<string> {
    if (this.sessions.size >= MAX_SESSIONS) {
      throw new JumpgateError('BAD_REQUEST', `At most ${MAX_SESSIONS} shells can be open at once.`, { hint: 'Close a shell you no longer use.' });
    }
    const lease = this.pool.acquire(jumpHost, tuning);
    let channel: ClientChannel;
    try {
      await lease.connection.whenReady();
      channel = await lease.connection.shell(size);
    } catch (error) {
      await lease.release();
      throw error;
    }
    const shellId = randomUUID();
    const session: Session = { channel, lease, closed: false };
    this.sessions.set(shellId, session);

    const decoder = new StringDecoder('utf8');
    const output = (chunk: Buffer): void => {
      const data = decoder.write(chunk);
      if (data) this.emit({ kind: 'output', shellId, data });
    };
    channel.on('data', output);
    channel.stderr.on('data', output);
    let exitCode: number | undefined;
    let signal: string | undefined;
    channel.on('exit', (code: number | null, signalName?: string) => {
      if (typeof code === 'number') exitCode = code;
      if (signalName) signal = signalName;
    });
    let failure: ErrorInfo | undefined;
    channel.on('error', (error: Error) => {
      failure = toErrorInfo(error);
    });
    channel.on('close', () => {
      const rest = decoder.end();
      if (rest) this.emit({ kind: 'output', shellId, data: rest });
      void this.finish(shellId);
      this.emit({
        kind: 'exit',
        shellId,
        ...(exitCode !== undefined ? { exitCode } : {}),
        ...(signal ? { signal } : {}),
        ...(failure ? { error: failure } : {}),
      });
    });
    return shellId;
  }

  /** Keystrokes from the terminal, as typed (UTF-8 text, control characters included). */
  write(shellId: string, data: string): void {
    this.get(shellId).channel.write(data);
  }

  resize(shellId: string, size: TerminalSize): void {
    // ssh2's setWindow takes rows first; the pixel sizes are unknown and 0 means "not given".
    this.get(shellId).channel.setWindow(size.rows, size.cols, 0, 0);
  }

  /** Hang up: the shell gets EOF and the channel closes; the connection stays for the tunnels. */
  async close(shellId: string): Promise<void> {
    const session = this.get(shellId);
    session.channel.close();
    await this.finish(shellId);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((shellId) => this.close(shellId).catch(() => undefined)));
  }

  private get(shellId: string): Session {
    const session = this.sessions.get(shellId);
    if (!session || session.closed) {
      throw new JumpgateError('BAD_REQUEST', 'That shell is closed.', { hint: 'Open a new shell on the jump box.' });
    }
    return session;
  }

  /** Release the connection lease once, however the session ended. */
  private async finish(shellId: string): Promise<void> {
    const session = this.sessions.get(shellId);
    if (!session || session.closed) return;
    session.closed = true;
    this.sessions.delete(shellId);
    await session.lease.release();
  }
}
