import { appendFile, readFile, rename, stat } from 'node:fs/promises';
import type { AuditEntry, AuditKind } from '../../../shared/model/audit';
import { platformFilePrivacy, type FilePrivacy } from '../files/filePrivacy';
import { osUserName } from '../paths';

export type { AuditEntry, AuditKind };

export interface AuditLogOptions {
  path: string;
  now?: () => number;
  /** Past this size the file is moved to `<path>.1` (replacing the older one) and a new one started. */
  maxBytes?: number;
  /** Keeps the log the user's alone (an access list on Windows); the platform's unless a test injects one. */
  privacy?: FilePrivacy;
}

const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/**
 * A local, append-only record of what this user did with production access:
 * which tunnel opened and closed when, password fetches and copies, IP rule
 * changes, restores, shells. One JSON object per line, readable by the user
 * only. It holds no secret by construction: callers pass names and ids, and
 * nothing here receives a value.
 */
export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly user = osUserName();
  private readonly listeners = new Set<(entry: AuditEntry) => void>();
  /** Whether this process has made the current file private (once per file: appends keep its access list). */
  private restricted = false;

  constructor(private readonly options: AuditLogOptions) {}

  onEntry(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Record an event. Never throws: an audit write that fails must not fail the action it records. */
  record(kind: AuditKind, detail: string, refs: { profileId?: string; targetId?: string } = {}): Promise<void> {
    const entry: AuditEntry = { at: (this.options.now ?? Date.now)(), user: this.user, kind, ...refs, detail };
    const write = this.queue.then(async () => {
      await this.rotateIfLarge();
      if (!this.restricted) {
        // Create the file (if it is new) and make it private before the first entry goes in.
        await appendFile(this.options.path, '', { mode: 0o600 });
        await (this.options.privacy ?? platformFilePrivacy()).restrict(this.options.path);
        this.restricted = true;
      }
      await appendFile(this.options.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      for (const listener of [...this.listeners]) listener(entry);
    });
    this.queue = write.catch(() => undefined);
    return write.catch(() => undefined);
  }

  /** The newest entries first, at most `limit`; lines that do not parse are skipped, not fatal. */
  async list(limit = 200): Promise<AuditEntry[]> {
    await this.queue;
    let text: string;
    try {
      text = await readFile(this.options.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: AuditEntry[] = [];
    const lines = text.split('\n');
    for (let index = lines.length - 1; index >= 0 && entries.length < limit; index--) {
      const line = lines[index];
      if (!line) continue;
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // a torn last line after a crash: skip it
      }
    }
    return entries;
  }

  /** Resolves once every record so far is on disk. */
  flushed(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  private async rotateIfLarge(): Promise<void> {
    const size = await stat(this.options.path).then(
      (info) => info.size,
      () => 0,
    );
    if (size >= (this.options.maxBytes ?? DEFAULT_MAX_BYTES)) {
      await rename(this.options.path, `${this.options.path}.1`);
      this.restricted = false;
    }
  }
}
