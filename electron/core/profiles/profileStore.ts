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
import { removeStaleTemps, writeFileAtomic } from '../files/atomicFile';
import { acquireFileLock } from './fileLock';
import { exampleProfile } from './exampleProfile';
import { uniqueSlug } from '../../../shared/model/ids';
import { localPortForCopy, takenLocalPorts } from '../../../shared/model/localPorts';
import { migrateProfilesFile } from './migrations';
import { changedFields } from './profileDiff';
import { findTarget } from './profileIntents';

export interface ProfileStoreOptions {
  /** The profiles JSON file, e.g. <userData>/profiles.json. */
  path: string;
  now?: () => Date;
  /** Called after every change is saved, and when a change made by another process (the CLI) is first seen. */
  onChange?: () => void;
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

/** A profile as saved, with the revision a later write of it must name. */
export interface RevisionedProfile {
  profile: Profile;
  revision: number;
}

/** How many earlier versions of each profile are kept in memory to name what changed in a conflict. */
const HISTORY_DEPTH = 20;

/**
 * The saved profiles: one versioned JSON file, validated on load and on save,
 * migrated forward, written atomically with the previous good file kept as a
 * backup. A damaged or too-new file is never overwritten: it is moved aside
 * with a timestamp and reported as PROFILES_CORRUPT.
 *
 * Every write carries the revision the writer saw. Writes run one at a time,
 * in this process (a queue) and across processes (a lock file beside the
 * profiles file, so the app and the CLI never interleave); each re-reads the
 * file first, so a change another process made is seen, and a writer whose
 * revision is older than the saved one is refused with PROFILES_CONFLICT
 * naming what changed. Nothing is ever silently overwritten.
 */
export class ProfileStore {
  private profiles: Profile[] = [];
  /** The revision of the whole file, and of each profile (the file revision at which it last changed). */
  private revision = 0;
  private revisions = new Map<string, number>();
  /** Recent versions of each profile by revision, to say what changed since a stale writer's revision. */
  private readonly history = new Map<string, Map<number, Profile>>();
  private loaded = false;
  /** Changes run one after another, never interleaved. */
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
      this.adopt(main.file);
      if (main.migratedFrom !== undefined) {
        await this.write();
        return { profiles: this.list(), migratedFrom: main.migratedFrom };
      }
      return { profiles: this.list() };
    }
    if (main.kind === 'missing') {
      const backup = await this.read(this.backupPath);
      if (backup.kind === 'ok') {
        this.adopt(backup.file);
        await this.write();
        return { profiles: this.list() };
      }
      // First run: start from the example the user edits.
      const example = exampleProfile();
      this.adopt({ schemaVersion: PROFILES_SCHEMA_VERSION, revision: 1, revisions: { [example.id]: 1 }, profiles: [example] });
      await this.write();
      return { profiles: this.list() };
    }

    const keptAt = `${this.path}.corrupt-${this.now().toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.path, keptAt);
    const backup = await this.read(this.backupPath);
    const restored = backup.kind === 'ok';
    this.adopt(restored ? backup.file : { schemaVersion: PROFILES_SCHEMA_VERSION, profiles: [] });
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

  /** The revision of the whole set: what an import (which may touch many profiles) must name. */
  get storeRevision(): number {
    return this.revision;
  }

  /** Each profile's revision, by id: what a change to that profile must name. */
  revisionsById(): Record<string, number> {
    return Object.fromEntries(this.profiles.map((profile) => [profile.id, this.revisionOf(profile.id)]));
  }

  revisionOf(id: string): number {
    return this.revisions.get(id) ?? 0;
  }

  /** Whether `seen` is the profile's revision as this process last read it (a change naming it would not be refused here). */
  isCurrent(id: string, seen: number): boolean {
    return this.revisionOf(id) === seen;
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
    return { profile, target: findTarget(profile, targetId) };
  }

  /**
   * Change one profile: `change` gets the saved profile (re-read from disk) and
   * returns the new one, which is validated, checked against every other profile's
   * local ports and written. Refused with PROFILES_CONFLICT if `seen` is not the
   * profile's current revision; 'latest' is for the core's own follow-up changes
   * that hold whatever the profile is now (targets of a deleted database go).
   */
  async update(id: string, seen: number | 'latest', change: (profile: Profile, others: readonly Profile[]) => Profile): Promise<RevisionedProfile> {
    return this.transact(() => {
      const current = this.get(id);
      if (seen !== 'latest') this.expectRevision(current, seen);
      const others = this.profiles.filter((entry) => entry.id !== id);
      const next = this.validateProfile(change(current, others));
      if (next.id !== id) throw new JumpgateError('BAD_REQUEST', 'A profile keeps its id when it is changed.', { hint: 'Duplicate the profile to give it a new id.' });
      return { profiles: this.profiles.map((entry) => (entry.id === id ? next : entry)), result: () => this.revisioned(id) };
    });
  }

  /**
   * Save a whole profile (the editor's save). With `seen` it replaces the profile
   * saved at that revision; without it, it creates a new one and is refused if the
   * id exists (someone created it meanwhile).
   */
  async save(input: unknown, seen: number | undefined): Promise<RevisionedProfile> {
    return this.transact(() => {
      const profile = this.validateProfile(input);
      const existing = this.profiles.find((entry) => entry.id === profile.id);
      if (seen === undefined && existing) {
        throw conflict(`A profile with the id "${profile.id}" was created meanwhile ("${existing.name}").`, {
          profileId: profile.id,
          currentRevision: this.revisionOf(profile.id),
        });
      }
      if (seen !== undefined) {
        if (!existing) {
          throw new JumpgateError('PROFILE_NOT_FOUND', `The profile "${profile.name}" was deleted meanwhile.`, {
            hint: 'Reload the profiles; save it again as a new profile if you still want it.',
          });
        }
        this.expectRevision(existing, seen);
      }
      const index = this.profiles.findIndex((entry) => entry.id === profile.id);
      const profiles = index === -1 ? [...this.profiles, profile] : this.profiles.map((entry) => (entry.id === profile.id ? profile : entry));
      return { profiles, result: () => this.revisioned(profile.id) };
    });
  }

  /** Delete a profile saved at revision `seen`. */
  async remove(id: string, seen: number): Promise<Profile> {
    return this.transact(() => {
      const current = this.get(id);
      this.expectRevision(current, seen);
      return { profiles: this.profiles.filter((entry) => entry.id !== id), result: () => current };
    });
  }

  /**
   * A copy under a new name whose targets get their own local ports (the next free
   * ones above the original's), so the original and the copy can be connected together.
   */
  async duplicate(id: string, name: string): Promise<RevisionedProfile> {
    return this.transact(() => {
      const source = this.get(id);
      const newId = uniqueSlug(name, new Set(this.profiles.map((entry) => entry.id)));
      const taken = takenLocalPorts(this.profiles);
      const targets = source.targets.map((target) => {
        const localPort = localPortForCopy(target.engine, target.localPort, taken);
        taken.add(localPort);
        return { ...target, localPort };
      });
      const copy = this.validateProfile({ ...source, id: newId, name, targets });
      return { profiles: [...this.profiles, copy], result: () => this.revisioned(newId) };
    });
  }

  /**
   * Replace the whole set (an import): `build` gets the saved profiles (re-read
   * from disk) and returns the new set. Refused if the set changed since `seen`.
   */
  async replaceAll(seen: number, build: (current: readonly Profile[]) => unknown[]): Promise<Profile[]> {
    return this.transact(() => {
      if (seen !== this.revision) {
        throw conflict('The profiles were changed elsewhere since this was prepared.', { currentRevision: this.revision, seenRevision: seen });
      }
      return { profiles: build(this.list()), result: () => this.list() };
    });
  }

  /** Add or replace one profile, whatever its revision: for seeding tests and first-run set-up, never for a user's write. */
  async upsert(input: unknown): Promise<Profile> {
    const profile = this.validateProfile(input);
    const seen = this.profiles.some((entry) => entry.id === profile.id) ? this.revisionOf(profile.id) : undefined;
    return (await this.save(profile, seen)).profile;
  }

  /**
   * One change, serialised in this process and locked across processes: re-read
   * the file (adopting another process's write), run `change` on what is saved,
   * validate the whole set, bump the revisions of what changed and write it.
   */
  private transact<T>(change: () => { profiles: unknown[]; result: () => T }): Promise<T> {
    this.assertLoaded();
    const run = this.queue.then(async () => {
      const release = await this.lockFile();
      try {
        // Another process's write is adopted (and announced) even if this change is then refused.
        if (await this.syncFromDisk()) this.options.onChange?.();
        const { profiles, result } = change();
        const parsed = ProfilesFileSchema.safeParse({ schemaVersion: PROFILES_SCHEMA_VERSION, profiles });
        if (!parsed.success) {
          throw new JumpgateError('PROFILE_INVALID', `The profiles were not saved: ${describeIssues(parsed.error)}.`, {
            hint: 'Correct the highlighted fields and save again.',
          });
        }
        const file = this.nextFile(parsed.data.profiles);
        // Written first, adopted after: a failed write leaves memory as the disk is.
        await this.write(file);
        this.adopt(file);
        this.options.onChange?.();
        return result();
      } finally {
        await release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The file after a change: its revision goes up by one, and each profile that differs takes that number as its revision. */
  private nextFile(next: Profile[]): ProfilesFile & { revision: number; revisions: Record<string, number> } {
    const revision = this.revision + 1;
    const before = new Map(this.profiles.map((profile) => [profile.id, profile]));
    const revisions: Record<string, number> = {};
    for (const profile of next) {
      const old = before.get(profile.id);
      revisions[profile.id] = old !== undefined && JSON.stringify(old) === JSON.stringify(profile) ? this.revisionOf(profile.id) : revision;
    }
    return { schemaVersion: PROFILES_SCHEMA_VERSION, revision, revisions, profiles: next };
  }

  /** Adopt what another process wrote since our last read or write; true if there was anything. */
  private async syncFromDisk(): Promise<boolean> {
    const onDisk = await this.read(this.path);
    if (onDisk.kind !== 'ok' || (onDisk.file.revision ?? 0) === this.revision) return false;
    this.adopt(onDisk.file);
    return true;
  }

  private currentFile(): ProfilesFile {
    return { schemaVersion: PROFILES_SCHEMA_VERSION, revision: this.revision, revisions: Object.fromEntries(this.revisions), profiles: this.profiles };
  }

  private adopt(file: ProfilesFile): void {
    this.profiles = file.profiles;
    this.revision = file.revision ?? 0;
    this.revisions = new Map(file.profiles.map((profile) => [profile.id, file.revisions?.[profile.id] ?? 0]));
    for (const profile of file.profiles) this.remember(profile, this.revisionOf(profile.id));
    this.loaded = true;
  }

  private remember(profile: Profile, revision: number): void {
    const versions = this.history.get(profile.id) ?? new Map<number, Profile>();
    versions.set(revision, profile);
    while (versions.size > HISTORY_DEPTH) versions.delete(versions.keys().next().value as number);
    this.history.set(profile.id, versions);
  }

  /** Refuse a write based on an older revision, saying which fields changed since (when that version is still known here). */
  private expectRevision(current: Profile, seen: number): void {
    if (this.isCurrent(current.id, seen)) return;
    const currentRevision = this.revisionOf(current.id);
    const before = this.history.get(current.id)?.get(seen);
    const fields = before ? changedFields(before, current) : [];
    const what = fields.length > 0 ? ` (changed: ${fields.map(describeField).join(', ')})` : '';
    throw conflict(`The profile "${current.name}" was changed elsewhere since you opened it${what}.`, {
      profileId: current.id,
      seenRevision: seen,
      currentRevision,
      ...(fields.length > 0 ? { changed: fields.join(',') } : {}),
    });
  }

  private revisioned(id: string): RevisionedProfile {
    return { profile: this.get(id), revision: this.revisionOf(id) };
  }

  /** Wait for the cross-process lock on the profiles file (the app and the CLI may write at once). */
  private async lockFile(): Promise<() => Promise<void>> {
    try {
      return await acquireFileLock(this.path);
    } catch (error) {
      throw new JumpgateError('PROFILES_CONFLICT', 'Another Jumpgate is saving the profiles and did not finish.', {
        hint: `Try again in a moment. If no other Jumpgate is running, remove ${this.path}.lock.`,
        cause: error,
      });
    }
  }

  /** A profile as a save would take it (the schema's checks), without saving: PROFILE_INVALID naming the fields otherwise. */
  validateProfile(input: unknown): Profile {
    const parsed = ProfileSchema.safeParse(input);
    if (!parsed.success) {
      throw new JumpgateError('PROFILE_INVALID', `The profile is not valid: ${describeIssues(parsed.error)}.`, {
        hint: 'Correct the highlighted fields and save again.',
      });
    }
    return parsed.data;
  }

  private assertLoaded(): void {
    if (!this.loaded) throw new Error('ProfileStore.load() must run first');
  }

  /** The current state as a file (for load's rewrites), or the given one. */
  private async write(file: ProfilesFile = this.currentFile()): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(file, null, 2) + '\n', this.backupPath);
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
    if (migration.kind === 'failed') return { kind: 'bad', reason: `it could not be migrated from schema version ${migration.from}: ${migration.reason}` };
    const parsed = ProfilesFileSchema.safeParse(migration.data);
    if (!parsed.success) return { kind: 'bad', reason: `it does not match the schema: ${describeIssues(parsed.error)}` };
    return migration.kind === 'migrated' ? { kind: 'ok', file: parsed.data, migratedFrom: migration.from } : { kind: 'ok', file: parsed.data };
  }
}

const FIELD_NAMES: Record<string, string> = { jumpHost: 'jump host', aws: 'AWS settings', targets: 'targets', options: 'options', name: 'name' };

function describeField(field: string): string {
  return FIELD_NAMES[field] ?? field;
}

function conflict(message: string, details: Record<string, string | number>): JumpgateError {
  return new JumpgateError('PROFILES_CONFLICT', message, {
    hint: 'Reload to see the saved version, then make your change again.',
    details,
  });
}
