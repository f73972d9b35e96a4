import { resolve } from 'node:path';
import type { ResponseOf } from '../../../shared/contract';
import { describeAge } from '../../../shared/model/age';
import { detailsOf, type ErrorInfo } from '../../../shared/model/errors';
import type { Profile } from '../../../shared/model/profile';
import { targetChanges } from '../../../shared/model/teamPlanText';
import { ask, interactive } from '../prompt';
import { CliFailure, findProfile, unwrap, type CliSession } from '../session';

/**
 * `jumpgate team publish|follow|refresh|status` (issue #16): team profiles published in AWS by an
 * administrator and followed by everyone else. The core fetches, plans, checks revisions and
 * applies (team:* channels); this shows each plan, asks, and says what happened.
 */

export interface SourceOptions {
  region?: string;
  awsProfile?: string;
}

export interface PublishOptions extends SourceOptions {
  to: string;
  yes?: boolean;
  json?: boolean;
}

export interface FollowOptions extends SourceOptions {
  key?: string;
  yes?: boolean;
  json?: boolean;
}

type Plan = ResponseOf<'team:fetch'>['plan'];
type Fetched = ResponseOf<'team:fetch'>;

/** The region as given, else the AWS CLI's own AWS_REGION (the core's default after that), and the AWS profile if given. */
function regionRef(options: SourceOptions): { region?: string; awsProfile?: string } {
  const region = options.region ?? process.env.AWS_REGION;
  return { ...(region ? { region } : {}), ...(options.awsProfile ? { awsProfile: options.awsProfile } : {}) };
}

/** A source with its region and AWS profile, as the options say. */
function sourceRef(source: string, options: SourceOptions): { source: string; region?: string; awsProfile?: string } {
  return { source, ...regionRef(options) };
}

/** A reply about a source the person typed: a source that is neither form is a usage error (exit 2). */
function unwrapSource<T>(reply: { ok: true; value: T } | { ok: false; error: ErrorInfo }): T {
  if (!reply.ok && detailsOf(reply.error, 'BAD_REQUEST')?.rule === 'source') throw new CliFailure(reply.error, 2);
  return unwrap(reply);
}

function planLines(plan: Plan): string[] {
  const lines: string[] = [];
  const count = (profile: Profile) => `${profile.targets.length} target${profile.targets.length === 1 ? '' : 's'}`;
  for (const profile of plan.add) lines.push(`  adds     ${profile.id} "${profile.name}" (${count(profile)}, jump host ${profile.jumpHost.user}@${profile.jumpHost.host}:${profile.jumpHost.port})`);
  for (const { before, after, fields } of plan.change) {
    lines.push(`  changes  ${after.id} "${after.name}": ${fields.join(', ')}`);
    if (fields.includes('targets')) for (const line of targetChanges(before, after)) lines.push(`             ${line}`);
  }
  for (const profile of plan.remove) lines.push(`  removes  ${profile.id} "${profile.name}"`);
  for (const id of plan.unchanged) lines.push(`  leaves   ${id} as it is`);
  const keyWords = { add: 'pins', remove: 'drops', same: 'keeps', conflict: 'REFUSES' } as const;
  for (const key of plan.hostKeys) {
    lines.push(`  ${keyWords[key.change].padEnd(8)} host key ${key.host}:${key.port} ${key.keyType} ${key.fingerprint}${key.change === 'conflict' ? ' (another key of this type is pinned here)' : ''}`);
  }
  return lines;
}

function changes(plan: Plan): number {
  return plan.add.length + plan.change.length + plan.remove.length + plan.hostKeys.filter((key) => key.change !== 'same').length;
}

/** Yes from --yes, or from the person on a terminal; a script without --yes is refused rather than left waiting. */
async function confirmed(question: string, options: { yes?: boolean; json?: boolean }, what: string): Promise<boolean> {
  if (options.yes) return true;
  if (options.json || !interactive()) {
    throw new CliFailure({ code: 'BAD_REQUEST', message: `Nothing was ${what}: nothing confirmed it.`, hint: 'Run it again with --yes (on a terminal you are asked).' }, 2);
  }
  return /^y(es)?$/i.test((await ask(question)).trim());
}

/** `jumpgate team publish <profile...> --to <source>`: the difference with what is published, then the publish over the version read. */
export async function teamPublish(session: CliSession, names: string[], options: PublishOptions): Promise<number> {
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profileIds = names.map((name) => findProfile(profiles, name).id);
  const ref = sourceRef(options.to, options);
  const planned = unwrapSource(await session.invoke('team:planPublish', { ...ref, profileIds }));
  const seen = planned.published?.revision;
  if (!options.json) {
    process.stdout.write(`Publishing to ${planned.source} (${planned.region}), ${seen ? `now at version ${seen}` : 'where nothing is published yet'}:\n`);
    process.stdout.write(planLines(planned.plan).join('\n') + '\n');
  }
  if (seen && changes(planned.plan) === 0) {
    if (options.json) process.stdout.write(JSON.stringify({ source: planned.source, revision: seen, published: false }, null, 2) + '\n');
    else process.stdout.write(`Nothing to publish: version ${seen} already says this.\n`);
    return 0;
  }
  if (!(await confirmed(`Publish to ${planned.source}? [y/N] `, options, 'published'))) {
    process.stdout.write('Not published.\n');
    return 1;
  }
  // The profiles as previewed (a change saved meanwhile, by the app say, is refused) over the version previewed.
  const published = unwrap(await session.invoke('team:publish', { ...ref, profileIds, revisions: planned.revisions, ...(seen ? { seenRevision: seen } : {}) }));
  if (options.json) process.stdout.write(JSON.stringify({ source: published.source, revision: published.revision, published: true }, null, 2) + '\n');
  else process.stdout.write(`Published ${published.source}, version ${published.revision}.\n`);
  return 0;
}

/** Apply a fetched version after showing it; false when the person said no. */
async function applyFetched(session: CliSession, fetched: Fetched, options: FollowOptions, keyPath: string | undefined, first: boolean): Promise<boolean> {
  if (!options.json) {
    process.stdout.write(`${fetched.source} (${fetched.region}), version ${fetched.teamRevision}:\n`);
    const lines = planLines(fetched.plan);
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
  }
  const count = changes(fetched.plan);
  if (!first && count === 0) {
    if (!options.json) process.stdout.write('  up to date\n');
    return true;
  }
  if (count > 0 && !(await confirmed(`Apply these changes from ${fetched.source}? [y/N] `, options, 'followed'))) {
    process.stdout.write('Not applied.\n');
    return false;
  }
  const followed = unwrap(
    await session.invoke('team:follow', { source: fetched.source, teamRevision: fetched.teamRevision, revision: fetched.revision, ...(keyPath ? { keyPath } : {}) }),
  );
  if (options.json) {
    process.stdout.write(JSON.stringify({ source: followed.source, revision: followed.teamRevision, profiles: followed.profiles.map((profile) => profile.id), removed: followed.removed, pinned: followed.pinned }, null, 2) + '\n');
  } else {
    process.stdout.write(`Following ${followed.source} at version ${followed.teamRevision}: ${followed.profiles.map((profile) => profile.id).join(', ') || 'no profiles'}.\n`);
    for (const key of followed.pinned) process.stdout.write(`Pinned the published host key of ${key.host}:${key.port} (${key.keyType} ${key.fingerprint}).\n`);
  }
  return true;
}

/** `jumpgate team discover`: the team sources published under /jumpgate in Parameter Store, as the app's Team page lists them. */
export async function teamDiscover(session: CliSession, options: SourceOptions & { json?: boolean }): Promise<number> {
  const found = unwrap(await session.invoke('team:discover', regionRef(options)));
  if (options.json) {
    process.stdout.write(JSON.stringify(found, null, 2) + '\n');
    return 0;
  }
  if (found.sources.length === 0) {
    process.stdout.write(`No team profiles are published under /jumpgate in Parameter Store (${found.region}). Ask your administrator for the source: ssm:/jumpgate/<team> or s3://<bucket>/<key>.\n`);
    return 0;
  }
  for (const entry of found.sources) {
    process.stdout.write(`${entry.source}  version ${entry.revision}${entry.publishedAt ? `, published ${describeAge(Date.now() - entry.publishedAt)} ago` : ''}\n`);
  }
  process.stdout.write(`Follow one: jumpgate team follow ${found.sources[0]?.source ?? 'ssm:/jumpgate/<team>'}\n`);
  return 0;
}

/** The source to follow: the one given, else the only one published (as the app previews it), else a usage error listing them. */
async function sourceToFollow(session: CliSession, given: string | undefined, options: FollowOptions): Promise<string> {
  if (given) return given;
  const found = unwrap(await session.invoke('team:discover', regionRef(options)));
  const only = found.sources.length === 1 ? found.sources[0] : undefined;
  if (only) {
    if (!options.json) process.stdout.write(`The one team source published in ${found.region}: ${only.source}\n`);
    return only.source;
  }
  throw new CliFailure(
    {
      code: 'BAD_REQUEST',
      message:
        found.sources.length === 0
          ? `No team source is published under /jumpgate in ${found.region}, and none was given.`
          : `${found.sources.length} team sources are published in ${found.region}: ${found.sources.map((entry) => entry.source).join(', ')}. Say which.`,
      hint: 'jumpgate team follow <source> (ssm:/jumpgate/<team> or s3://<bucket>/<key>, as your administrator gave it); --region for another region.',
    },
    2,
  );
}

/**
 * The key to log in with when none is given: for a source followed before, none (each profile
 * keeps the login it has); for a first follow, the key Jumpgate proposes (the one made in
 * Jumpgate, else ~/.ssh's defaults as OpenSSH tries them), else the SSH agent.
 */
async function keyToFollowWith(session: CliSession, source: string, options: FollowOptions): Promise<string | undefined> {
  if (options.key) return resolve(options.key);
  const { sources } = unwrap(await session.invoke('team:status', {}));
  if (sources.some((entry) => entry.source === source && entry.followed)) return undefined;
  const proposed = unwrap(await session.invoke('keys:defaultIdentity', {}));
  if (proposed.keyPath && !options.json) process.stdout.write(`Logging in with ${proposed.keyPath} (${proposed.source === 'created' ? 'the key made in Jumpgate' : 'found in ~/.ssh'}; --key to choose another).\n`);
  return proposed.keyPath;
}

/** `jumpgate team follow [source]`: what following it changes here, then follow it from now on. */
export async function teamFollow(session: CliSession, given: string | undefined, options: FollowOptions): Promise<number> {
  const source = await sourceToFollow(session, given, options);
  const keyPath = await keyToFollowWith(session, source, options);
  const fetched = unwrapSource(await session.invoke('team:fetch', { ...sourceRef(source, options), ...(keyPath ? { keyPath } : {}) }));
  if (!(await applyFetched(session, fetched, options, keyPath, true))) return 1;
  if (!options.json && !keyPath && fetched.plan.add.length > 0) {
    process.stdout.write('Next: log in with your key: jumpgate team follow again with --key <path>, or the app\'s profile page (this computer\'s SSH agent is used until then).\n');
  }
  return 0;
}

function reportError(source: string, error: ErrorInfo, lastCopy: { revision: string; at: number } | undefined): void {
  process.stderr.write(`error ${error.code}: ${error.message.includes(source) ? '' : `${source}: `}${error.message}\n`);
  if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
  if (lastCopy && !error.message.includes('Still using')) process.stderr.write(`  still using version ${lastCopy.revision}, fetched ${describeAge(Date.now() - lastCopy.at)} ago\n`);
}

/** `jumpgate team refresh`: fetch every followed source, show what changed, apply what is accepted. A source that cannot be fetched keeps its last copy. */
export async function teamRefresh(session: CliSession, options: FollowOptions): Promise<number> {
  const { sources } = unwrap(await session.invoke('team:refresh', {}));
  if (sources.length === 0) {
    throw new CliFailure({ code: 'TEAM_NOT_FOLLOWED', message: 'This Jumpgate follows no team source.', hint: 'Follow one: jumpgate team follow ssm:/jumpgate/<team> (or s3://<bucket>/<key>).' }, 2);
  }
  let failed = false;
  for (const entry of sources) {
    if (entry.error) {
      failed = true;
      reportError(entry.source, entry.error, entry.lastCopy);
      continue;
    }
    if (entry.fetch && !(await applyFetched(session, entry.fetch, options, undefined, false))) failed = true;
  }
  return failed ? 1 : 0;
}

/** `jumpgate team status`: the sources followed, the versions applied and fetched and how old, and the last failure. */
export async function teamStatus(session: CliSession, options: { json?: boolean }): Promise<number> {
  const status = unwrap(await session.invoke('team:status', {}));
  if (options.json) {
    process.stdout.write(JSON.stringify(status, null, 2) + '\n');
    return 0;
  }
  if (status.sources.length === 0) {
    process.stdout.write('No team source followed. Follow one: jumpgate team follow ssm:/jumpgate/<team>\n');
    return 0;
  }
  for (const entry of status.sources) {
    process.stdout.write(`${entry.source} (${entry.region}${entry.awsProfile ? `, AWS profile ${entry.awsProfile}` : ''}): ${entry.followed ? `followed, version ${entry.applied?.revision} applied` : 'fetched, not followed'}\n`);
    if (entry.profileIds.length > 0) process.stdout.write(`  profiles: ${entry.profileIds.join(', ')}\n`);
    if (entry.fetched) process.stdout.write(`  last fetched: version ${entry.fetched.revision}, ${describeAge(status.now - entry.fetched.at)} ago${entry.pending ? ' (not applied yet: jumpgate team refresh)' : ''}\n`);
    if (entry.lastError) {
      process.stdout.write(`  last refresh failed ${describeAge(status.now - entry.lastError.at)} ago: ${entry.lastError.error.code}: ${entry.lastError.error.message}\n`);
      if (entry.lastError.error.hint) process.stdout.write(`    hint: ${entry.lastError.error.hint}\n`);
    }
  }
  return 0;
}
