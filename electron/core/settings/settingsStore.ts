import { rename } from 'node:fs/promises';
import { SettingsSchema, type Settings, type SettingsChange } from '../../../shared/model/settings';
import { writeFileAtomic } from '../files/atomicFile';
import { NotReadableFile, readRegularFile } from '../files/boundedRead';

/** A settings file is a few hundred bytes: anything far bigger is not ours, and is not read into memory. */
const MAX_SETTINGS_BYTES = 64 * 1024;

export type SettingsProblem = { keptAt: string; why: string };

/**
 * The user's app-wide choices (the theme), kept by the service in settings.json beside the
 * profiles: a browser page's own storage is per origin, and `jumpgate serve` listens on a new
 * port each run, so a choice kept there was lost with every restart of the service. A file
 * that does not parse is moved aside (nothing is lost) and the defaults are used.
 */
export class SettingsStore {
  private current: Settings = SettingsSchema.parse({});
  private writes: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Read the file; a missing one means the defaults, a damaged one is kept aside and reported. */
  async load(now: () => Date = () => new Date()): Promise<SettingsProblem | undefined> {
    let text: string;
    try {
      text = await readBounded(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (!(error instanceof NotSettings)) throw error;
      return this.keepAside(now, error.message);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.keepAside(now, 'it is not JSON');
    }
    const result = SettingsSchema.safeParse(parsed);
    if (!result.success) return this.keepAside(now, result.error.issues.map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`).join('; '));
    this.current = result.data;
    return undefined;
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  /** Change some settings and write the file (writes in this process one after another, the last one wins). */
  async update(change: SettingsChange): Promise<Settings> {
    return this.write({ ...this.current, ...change });
  }

  /** The key Jumpgate just made: the one a follow logs in with by default (issue #16). */
  async recordCreatedKey(path: string): Promise<Settings> {
    return this.write({ ...this.current, lastCreatedKey: path });
  }

  private async write(settings: Settings): Promise<Settings> {
    const next = SettingsSchema.parse(settings);
    this.current = next;
    const write = this.writes.then(() => writeFileAtomic(this.path, JSON.stringify(next, null, 2) + '\n'));
    this.writes = write.catch(() => undefined);
    await write;
    return structuredClone(next);
  }

  private async keepAside(now: () => Date, why: string): Promise<SettingsProblem> {
    const keptAt = `${this.path}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.path, keptAt);
    return { keptAt, why };
  }
}

/** The file's text, read with a bound; a FIFO or device is refused, never waited on. */
async function readBounded(path: string): Promise<string> {
  try {
    return (await readRegularFile(path, MAX_SETTINGS_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof NotReadableFile) throw new NotSettings(error.message);
    throw error;
  }
}

/** What sits at the settings path is not a settings file that may be read (a device, a FIFO, something huge). */
class NotSettings extends Error {}
