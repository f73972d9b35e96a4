import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from '../../../shared/zod';
import { JumpgateError, type ErrorInfo } from '../../../shared/model/errors';
import { writeFileAtomic } from '../files/atomicFile';
import { NotReadableFile, readRegularFile } from '../files/boundedRead';
import { acquireFileLock } from '../profiles/fileLock';

/** A copy of a team's published file as this Jumpgate got it: the text, its revision, and when. */
const CopySchema = z.object({ revision: z.string(), at: z.number(), text: z.string() });
export type TeamCopy = z.infer<typeof CopySchema>;

const ErrorSchema = z.object({ code: z.string(), message: z.string(), hint: z.optional(z.string()) });

const SourceStateSchema = z.object({
  /** As formatTeamSource writes it: the key. */
  source: z.string(),
  region: z.string(),
  awsProfile: z.optional(z.string()),
  /** The last copy fetched whole: what a follow applies, and what keeps working offline. */
  fetched: z.optional(CopySchema),
  /** The copy last applied: present once the source is followed; the base that tells the person's settings from the team's. */
  applied: z.optional(CopySchema),
  /** Why the last fetch failed (cleared by the next that works). */
  lastError: z.optional(z.object({ at: z.number(), error: ErrorSchema })),
});
export type SourceState = z.infer<typeof SourceStateSchema>;

const TeamStateSchema = z.object({ version: z.literal(1), sources: z.array(SourceStateSchema).check(z.maxLength(50)) });

/** Copies of team files, a few hundred KB each at most: anything far bigger is not ours and is not read. */
const MAX_STATE_BYTES = 32 * 1024 * 1024;

/**
 * Which team sources this Jumpgate follows and the copies it holds of each (team.json beside the
 * profiles, issue #16). The app and the CLI share it: every read goes to the file, every change
 * is made under its lock, re-read and written atomically. A damaged file is moved aside and
 * the sources are followed anew; the profiles themselves are in profiles.json and stay.
 */
export class TeamStateStore {
  constructor(readonly path: string) {}

  async list(): Promise<SourceState[]> {
    return (await this.read()).sources;
  }

  async get(source: string): Promise<SourceState | undefined> {
    return (await this.list()).find((entry) => entry.source === source);
  }

  /** Change one source's state (made from nothing when absent); `change` returning undefined drops it. */
  async update(source: string, change: (current: SourceState | undefined) => SourceState | undefined): Promise<SourceState | undefined> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    let release: () => Promise<void>;
    try {
      release = await acquireFileLock(this.path);
    } catch (error) {
      throw new JumpgateError('INTERNAL', 'Another Jumpgate is saving the team sources and did not finish.', {
        hint: `Try again in a moment. If no other Jumpgate is running, remove ${this.path}.lock.`,
        cause: error,
      });
    }
    try {
      const state = await this.read();
      const next = change(state.sources.find((entry) => entry.source === source));
      const others = state.sources.filter((entry) => entry.source !== source);
      const sources = next ? [...others, SourceStateSchema.parse(next)] : others;
      await writeFileAtomic(this.path, JSON.stringify({ version: 1, sources }, null, 2) + '\n');
      return next;
    } finally {
      await release();
    }
  }

  private async read(): Promise<z.infer<typeof TeamStateSchema>> {
    let text: string;
    try {
      text = (await readRegularFile(this.path, MAX_STATE_BYTES)).toString('utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, sources: [] };
      if (error instanceof NotReadableFile) return this.keepAside();
      throw error;
    }
    try {
      return TeamStateSchema.parse(JSON.parse(text));
    } catch {
      return this.keepAside();
    }
  }

  private async keepAside(): Promise<z.infer<typeof TeamStateSchema>> {
    await rename(this.path, `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`).catch(() => undefined);
    return { version: 1, sources: [] };
  }
}

/** An error as the state keeps it: what a front end shows, never a cause or stack. */
export function storedError(error: ErrorInfo): z.infer<typeof ErrorSchema> {
  return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}
