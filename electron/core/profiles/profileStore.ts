import { copyFile, readFile, rename } from 'node:fs/promises';
import { JumpgateError } from '../../../shared/model/errors';
import {
  PROFILES_SCHEMA_VERSION,
  ProfileSchema,
  ProfilesFileSchema,
  type DbTarget,
  type Profile,
  type ProfilesFile,
} from '../../../shared/model/profile';
import { removeStaleTemps, writeFileAtomic } from './atomicFile';
import { exampleProfile } from './exampleProfile';
import { uniqueSlug } from '../../../shared/model/ids';
import { localPortForCopy, takenLocalPorts } from '../../../shared/model/localPorts';
import { migrateProfilesFile } from './migrations';

export interface ProfileStoreOptions {
  /** The profiles JSON file, e.g. <userData>/profiles.json. */
  path: string;
  now?: () => Date;
}

/** What loading found: the profiles to use, and a problem to show the user if the file was damaged. */
export interface LoadResult {
  profiles: Profile[];
  problem?: JumpgateError;
  /** Set when an older file was migrated forward (and the original kept as the backup). */
  migratedFrom?: number;
}

type ReadOutcome =
  | { kind: 'missing' }
  | { kind: 'ok'; file: ProfilesFile; migratedFrom?: number }
  | { kind: 'bad'; reason: string };

function describeIssues(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * The saved profiles: one versioned JSON file, validated on load and on save,
 * migrated forward, written atomically with the previous good file kept as a
 * backup. A damaged or too-new file is never overwritten: it is moved aside
 * with a timestamp and reported as PROFILES_CORRUPT.
 */
export class ProfileStore {
  private profiles: Profile[] = [];
  private loaded = false;
  /** Saves run one after another, never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;

  constructor(private readonly options: ProfileStoreOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get path(): string {
    return this.options.path;
  }

  get backupPath(): string {
    return `${this.options.path}.bak`;
  }

  async load(): Promise<LoadResult> {
    await removeStaleTemps(this.path);
    const main = await this.read(this.path);
    if (main.kind === 'ok') {
      this.set(main.file.profiles);
      if (main.migratedFrom !== undefined) {
        await this.write(main.file.profiles);
        return { profiles: this.list(), migratedFrom: main.migratedFrom };
      }
      return { profiles: this.list() };
    }
    if (main.kind === 'missing') {
      const backup = await this.read(this.backupPath);
      if (backup.kind === 'ok') {
        this.set(backup.file.profiles);
        await this.write(backup.file.profiles);
        return { profiles: this.list() };
      }
      // First run: start from the example the user edits.
      this.set([exampleProfile()]);
      await this.write(this.profiles);
      return { profiles: this.list() };
    }

    const keptAt = `${this.path}.corrupt-${this.now().toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.path, keptAt);
    const backup = await this.read(this.backupPath);
    const restored = backup.kind === 'ok';
    this.set(restored ? backup.file.profiles : []);
    if (restored) await copyFile(this.backupPath, this.path);
    const problem = new JumpgateError('PROFILES_CORRUPT', `The profiles file could not be read (${main.reason}). It was kept at ${keptAt}.`, {
      hint: restored
        ? 'Your profiles were restored from the last good backup; check them, and send the kept file to support if something is missing.'
        : 'No good backup exists. Import your team file or recreate the profiles; the damaged file is kept for inspection.',
      details: { path: this.path, keptAt, restoredFromBackup: restored },
    });
    return { profiles: this.list(), problem };
  }

  list(): Profile[] {
    this.assertLoaded();
    return structuredClone(this.profiles);
  }

  get(id: string): Profile {
    this.assertLoaded();
    const profile = this.profiles.find((entry) => entry.id === id);
    if (!profile) {
      throw new JumpgateError('PROFILE_NOT_FOUND', `There is no profile "${id}".`, {
        hint: `Known profiles: ${this.profiles.map((entry) => entry.id).join(', ') || 'none'}.`,
      });
    }
    return structuredClone(profile);
  }

  /** A profile and one of its targets, or TARGET_NOT_FOUND naming the targets it does have. */
  getTarget(profileId: string, targetId: string): { profile: Profile; target: DbTarget } {
    const profile = this.get(profileId);
    const target = profile.targets.find((entry) => entry.id === targetId);
    if (!target) {
      throw new JumpgateError('TARGET_NOT_FOUND', `Profile "${profile.name}" has no target "${targetId}".`, {
        hint: `Its targets are: ${profile.targets.map((entry) => entry.id).join(', ') || 'none'}.`,
      });
    }
    return { profile, target };
  }

  /** Add or replace one profile (matched by id). */
  async upsert(input: unknown): Promise<Profile> {
    const profile = this.validateProfile(input);
    const next = this.profiles.filter((entry) => entry.id !== profile.id);
    const index = this.profiles.findIndex((entry) => entry.id === profile.id);
    next.splice(index === -1 ? next.length : index, 0, profile);
    await this.replaceAll(next);
    return structuredClone(profile);
  }

  async remove(id: string): Promise<void> {
    this.get(id);
    await this.replaceAll(this.profiles.filter((entry) => entry.id !== id));
  }

  /**
   * A copy under a new name whose targets get their own local ports (the next free
   * ones above the original's), so the original and the copy can be connected together.
   */
  async duplicate(id: string, name: string): Promise<Profile> {
    const source = this.get(id);
    const newId = uniqueSlug(name, new Set(this.profiles.map((entry) => entry.id)));
    const taken = takenLocalPorts(this.profiles);
    const targets = source.targets.map((target) => {
      const localPort = localPortForCopy(target.engine, target.localPort, taken);
      taken.add(localPort);
      return { ...target, localPort };
    });
    return this.upsert({ ...source, id: newId, name, targets });
  }

  /** Validate the whole set, then persist it atomically. */
  async replaceAll(profiles: unknown[]): Promise<void> {
    this.assertLoaded();
    const parsed = ProfilesFileSchema.safeParse({ schemaVersion: PROFILES_SCHEMA_VERSION, profiles });
    if (!parsed.success) {
      throw new JumpgateError('PROFILE_INVALID', `The profiles were not saved: ${describeIssues(parsed.error)}.`, {
        hint: 'Correct the highlighted fields and save again.',
      });
    }
    await this.write(parsed.data.profiles);
    this.profiles = parsed.data.profiles;
  }

  private validateProfile(input: unknown): Profile {
    const parsed = ProfileSchema.safeParse(input);
    if (!parsed.success) {
      throw new JumpgateError('PROFILE_INVALID', `The profile is not valid: ${describeIssues(parsed.error)}.`, {
        hint: 'Correct the highlighted fields and save again.',
      });
    }
    return parsed.data;
  }

  private set(profiles: Profile[]): void {
    this.profiles = profiles;
    this.loaded = true;
  }

  private assertLoaded(): void {
    if (!this.loaded) throw new Error('ProfileStore.load() must run first');
  }

  private write(profiles: Profile[]): Promise<void> {
    const text = JSON.stringify({ schemaVersion: PROFILES_SCHEMA_VERSION, profiles }, null, 2) + '\n';
    const run = this.queue.then(() => writeFileAtomic(this.path, text, this.backupPath));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(path: string): Promise<ReadOutcome> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return { kind: 'bad', reason: 'it is not valid JSON' };
    }
    const migration = migrateProfilesFile(data);
    if (migration.kind === 'too-new') {
      return { kind: 'bad', reason: `it was written by a newer Jumpgate (schema version ${migration.version})` };
    }
    if (migration.kind === 'no-version') return { kind: 'bad', reason: 'it has no known schemaVersion' };
    const parsed = ProfilesFileSchema.safeParse(migration.data);
    if (!parsed.success) return { kind: 'bad', reason: `it does not match the schema: ${describeIssues(parsed.error)}` };
    return migration.kind === 'migrated' ? { kind: 'ok', file: parsed.data, migratedFrom: migration.from } : { kind: 'ok', file: parsed.data };
  }
}
