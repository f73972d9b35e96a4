import { readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ResponseOf } from '../../../shared/contract';
import { uniqueSlug } from '../../../shared/model/ids';
import { DEFAULT_AWS_REGION, ProfileSchema } from '../../../shared/model/profile';
import { badInput, hopText, profileNamed, unwrapChange } from '../profileChanges';
import { ask, interactive } from '../prompt';
import { CliFailure, findProfile, unwrap, type CliSession } from '../session';

/**
 * `jumpgate profile import ssh-config [path]`, `jumpgate profile export` and `jumpgate profile import
 * <file>`: profiles from the hosts of an OpenSSH config, and team files out and in. The core reads
 * and checks both files (profiles:importSshConfig, profiles:planImport); the CLI shows what it found
 * and saves through the core's intents.
 */

/** A file the user named: missing is said as such, before the core reads it (the core takes a missing ~/.ssh/config as "no hosts"). */
async function mustExist(path: string, what: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (!found?.isFile()) throw badInput(`No ${what} at ${path}.`, 'Check the path (relative paths are from the folder you run jumpgate in).');
}

export interface SshConfigImportOptions {
  /** Only these Host aliases; all of them otherwise. */
  host?: string[];
  json?: boolean;
}

/** The config `profile import ssh-config` reads: the one given, or the user's own. */
export function sshConfigPathOf(given: string | undefined): string {
  return given ? resolve(given) : join(homedir(), '.ssh', 'config');
}

/**
 * Each usable Host becomes a profile named after its alias (region by default, as a new profile in
 * the app); hosts that cannot, with why: the core's reason (a field the schema refuses), a profile
 * of that name already there, or an alias asked for that the file does not have.
 */
export async function importSshConfigHosts(session: CliSession, path: string, options: SshConfigImportOptions): Promise<void> {
  await mustExist(path, 'SSH config file');
  const found = unwrap(await session.invoke('profiles:importSshConfig', {}));
  const wanted = options.host && options.host.length > 0 ? new Set(options.host) : undefined;
  const skipped = found.skipped.filter((entry) => !wanted || wanted.has(entry.alias));
  for (const alias of wanted ?? []) {
    if (!found.hosts.some((host) => host.alias === alias) && !found.skipped.some((entry) => entry.alias === alias)) skipped.push({ alias, why: `no Host ${alias} in ${path}` });
  }
  const imported: Array<{ alias: string; profileId: string; jumpHost: string }> = [];
  let { profiles } = unwrap(await session.invoke('profiles:list', {}));
  for (const { alias, jumpHost } of found.hosts) {
    if (wanted && !wanted.has(alias)) continue;
    const existing = profileNamed(profiles, alias);
    if (existing) {
      skipped.push({ alias, why: `a profile named "${existing.name}" exists already (id ${existing.id})` });
      continue;
    }
    const profile = ProfileSchema.parse({ id: uniqueSlug(alias, new Set(profiles.map((entry) => entry.id))), name: alias, jumpHost, aws: { region: DEFAULT_AWS_REGION } });
    const saved = await session.invoke('profiles:save', { profile });
    if (!saved.ok) {
      skipped.push({ alias, why: `${saved.error.code}: ${saved.error.message}` });
      continue;
    }
    imported.push({ alias, profileId: saved.value.profile.id, jumpHost: hopText(jumpHost) });
    profiles = [...profiles, saved.value.profile];
  }

  if (options.json) {
    process.stdout.write(JSON.stringify({ path, imported, skipped }, null, 2) + '\n');
    return;
  }
  process.stdout.write(`${path}: ${imported.length} imported, ${skipped.length} skipped.\n`);
  for (const entry of imported) process.stdout.write(`  imported  ${entry.alias} -> profile ${entry.profileId} (${entry.jumpHost})\n`);
  for (const entry of skipped) process.stdout.write(`  skipped   ${entry.alias}: ${entry.why}\n`);
  if (imported.length > 0) process.stdout.write('Next: add the databases of each (jumpgate profile target add, or jumpgate discover <profile> --add).\n');
}

/** `jumpgate profile export [profiles...] [--out file]`: a team file (no secret in it) of those profiles, or of all. */
export async function profileExport(session: CliSession, wanted: string[], options: { out?: string }): Promise<void> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const ids = wanted.map((name) => findProfile(profiles, name).id);
  const { text } = unwrap(await session.invoke('profiles:export', ids.length > 0 ? { ids } : {}));
  if (!options.out) {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  await writeFile(options.out, text.endsWith('\n') ? text : `${text}\n`);
  process.stderr.write(`Wrote ${ids.length || profiles.length} profile(s) to ${options.out}.\n`);
}

export interface TeamImportOptions {
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

type ImportPlan = ResponseOf<'profiles:planImport'>;

/** The plan as `--json` prints it: stable, the profiles by id and name (the file itself says the rest). */
function planJson(plan: ImportPlan, imported: boolean): object {
  return {
    revision: plan.revision,
    add: plan.add.map((profile) => ({ id: profile.id, name: profile.name, targets: profile.targets.length })),
    change: plan.change.map(({ after, fields }) => ({ id: after.id, name: after.name, fields })),
    unchanged: plan.unchanged,
    imported,
  };
}

function planText(plan: ImportPlan, file: string): string {
  const lines = [`Importing ${file}:`];
  for (const profile of plan.add) lines.push(`  adds     ${profile.id} "${profile.name}" (${profile.targets.length} target${profile.targets.length === 1 ? '' : 's'})`);
  for (const { after, fields } of plan.change) lines.push(`  changes  ${after.id} "${after.name}": ${fields.join(', ')}`);
  for (const name of plan.unchanged) lines.push(`  leaves   ${name} as it is`);
  return lines.join('\n') + '\n';
}

/**
 * `jumpgate profile import <file> [--yes | --dry-run] [--json]`: the plan first (what is added,
 * what changes, made by the core), then applied at the revision it was made against: a change
 * saved elsewhere meanwhile is refused (PROFILES_CONFLICT), never overwritten. Without --yes the
 * user is asked on a terminal; a script without --yes is refused rather than left waiting.
 */
export async function teamImport(session: CliSession, file: string, options: TeamImportOptions): Promise<number> {
  await mustExist(file, 'team file');
  const text = await readFile(file, 'utf8');
  const planned = await session.invoke('profiles:planImport', { text });
  if (!planned.ok) throw new CliFailure(planned.error, planned.error.code === 'IMPORT_INVALID' ? 2 : 1);
  const plan = planned.value;
  const count = plan.add.length + plan.change.length;
  if (!options.json) process.stdout.write(planText(plan, file));

  const finish = (imported: boolean): void => {
    if (options.json) process.stdout.write(JSON.stringify(planJson(plan, imported), null, 2) + '\n');
  };
  if (count === 0 || options.dryRun) {
    finish(false);
    if (!options.json) process.stdout.write(count === 0 ? 'Nothing to import: every profile in it is here as it is.\n' : 'Not imported (--dry-run).\n');
    return 0;
  }
  if (!options.yes) {
    if (options.json || !interactive()) {
      throw new CliFailure({ code: 'BAD_REQUEST', message: `Not imported: ${count} profile(s) would be added or changed, and nothing confirmed it.`, hint: 'Run it again with --yes to import this plan, or with --dry-run to only see it (on a terminal you are asked).' }, 2);
    }
    const answer = await ask(`Import ${count} profile(s)? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stdout.write('Not imported.\n');
      return 1;
    }
  }
  unwrapChange(await session.invoke('profiles:applyImport', { text, revision: plan.revision }));
  finish(true);
  if (!options.json) process.stdout.write(`Imported: ${plan.add.length} added, ${plan.change.length} changed.\n`);
  return 0;
}
