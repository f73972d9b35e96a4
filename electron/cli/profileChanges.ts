import type * as z from '../../shared/zod';
import type { ErrorInfo } from '../../shared/model/errors';
import type { Profile } from '../../shared/model/profile';
import { CliFailure, findProfile, unwrap, type CliSession } from './session';

/**
 * What the `jumpgate profile` commands share: the profile and the revision a change is based on,
 * a change's refusal as the CLI reports it, and the schema's own words for what was typed wrong.
 */

/** A saved profile found by id or name, the revision a change to it must name, and every profile (for names and local ports taken). */
export interface SavedProfile {
  profile: Profile;
  revision: number;
  profiles: Profile[];
}

/** Read as the app reads it (profiles:list): the change made next names this revision, so a change saved elsewhere meanwhile is refused. */
export async function savedProfile(session: CliSession, wanted: string): Promise<SavedProfile> {
  const { profiles, revisions } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, wanted);
  return { profile, revision: revisions[profile.id] ?? 0, profiles };
}

/**
 * A change's reply. A conflict (another Jumpgate saved first) is printed as the core's conflict,
 * with what to do in a terminal; a profile the core finds invalid (a local port another profile
 * holds) is bad input, so exit 2, as for any other input the command refuses.
 */
export function unwrapChange<T>(reply: { ok: true; value: T } | { ok: false; error: ErrorInfo }, profileId?: string): T {
  if (reply.ok) return reply.value;
  const { error } = reply;
  if (error.code === 'PROFILES_CONFLICT') {
    const look = profileId ? `jumpgate profile show ${profileId}` : 'jumpgate ls';
    throw new CliFailure({ ...error, hint: `Another Jumpgate (the app, a browser tab or another jumpgate command) saved first, and nothing of this command was written. See what is saved now (${look}) and run the command again.` });
  }
  if (error.code === 'PROFILE_INVALID' || error.code === 'BAD_REQUEST') throw new CliFailure(error, 2);
  throw new CliFailure(error);
}

/** A usage error: the input was refused before anything was asked of the core. */
export function badInput(message: string, hint: string): CliFailure {
  return new CliFailure({ code: 'BAD_REQUEST', message, hint }, 2);
}

/**
 * The schema's issues with what was typed, each named by the option it came from (`--jump port`,
 * `--region`), so `profile add` and `target add` say what the app's editor marks by field.
 */
export function invalidInput(subject: string, error: z.core.$ZodError, optionOf: (path: string) => string, help: string): CliFailure {
  const problems = error.issues.slice(0, 4).map((issue) => {
    const path = issue.path.map(String).join('.');
    const text = issue.message.replace(/^Invalid input: /, '');
    return `${optionOf(path)}: ${text}`;
  });
  return new CliFailure({ code: 'PROFILE_INVALID', message: `${subject} is not valid: ${problems.join('; ')}.`, hint: `${help} shows what each option takes.` }, 2);
}

/**
 * Another profile than `except` already called `name` (case-insensitive), or whose id it is: the CLI
 * finds profiles by id or name, so two alike could not be told apart.
 */
export function profileNamed(profiles: readonly Profile[], name: string, except?: string): Profile | undefined {
  const trimmed = name.trim();
  return profiles.find((profile) => profile.id !== except && (profile.id === trimmed || profile.name.toLowerCase() === trimmed.toLowerCase()));
}

/** `user@host:port`, the way ssh would take it (IPv6 in brackets, port 22 left out). */
export function hopText(hop: { user: string; host: string; port: number }): string {
  const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
  return `${hop.user}@${host}:${hop.port}`;
}
