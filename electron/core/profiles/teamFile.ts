import * as z from '../../../shared/zod';
import { JumpgateError } from '../../../shared/model/errors';
import { HostKeyBlobSchema } from '../../../shared/model/hostKeyTrust';
import { HostNameSchema } from '../../../shared/model/jumpHost';
import { ProfileSchema, type Profile } from '../../../shared/model/profile';
import { changedFields } from './profileDiff';

/**
 * A profile set shared with a team: the same profiles, never a secret (there are
 * none in profiles by design; passwords come from Secrets Manager, passphrases
 * stay in each user's keychain). Importing shows what would change before it does.
 * The same file is what a team publishes to AWS (issue #16), with the jump boxes'
 * host keys as the administrator pinned them.
 */
const TEAM_FORMAT = 'jumpgate-team-profiles';
const TEAM_VERSION = 1;

/**
 * A jump box's host key as an administrator pinned it: the base64 SSH wire blob of one of the
 * types Jumpgate negotiates. The key store parses the whole key again before it pins it.
 */
export const TeamHostKeySchema = z.object({
  host: HostNameSchema,
  port: z.int().check(z.gte(1), z.lte(65535)),
  publicKey: HostKeyBlobSchema,
});
export type TeamHostKey = z.infer<typeof TeamHostKeySchema>;

const TeamFileSchema = z.object({
  format: z.literal(TEAM_FORMAT),
  version: z.literal(TEAM_VERSION),
  exportedAt: z.string(),
  profiles: z.array(ProfileSchema).check(z.maxLength(500)),
  /** Absent in files exported before issue #16, and in plain exports: an optional addition keeps version 1 readable both ways. */
  hostKeys: z.optional(z.array(TeamHostKeySchema).check(z.maxLength(500))),
});

export interface TeamFile {
  profiles: Profile[];
  hostKeys: TeamHostKey[];
}

export interface ImportPlan {
  add: Profile[];
  change: Array<{ before: Profile; after: Profile; fields: string[] }>;
  unchanged: string[];
}

export function exportTeamFile(profiles: readonly Profile[], now: Date = new Date(), hostKeys?: readonly TeamHostKey[]): string {
  return JSON.stringify({ format: TEAM_FORMAT, version: TEAM_VERSION, exportedAt: now.toISOString(), profiles, ...(hostKeys ? { hostKeys } : {}) }, null, 2) + '\n';
}

/**
 * Read and check a team file. Host keys are kept only for the hosts its own profiles go
 * through (a jump host or a ProxyJump hop): a file never pins a key for any other host.
 */
export function parseTeamFile(text: string): TeamFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new JumpgateError('IMPORT_INVALID', 'The file is not a Jumpgate team profile file (it is not JSON).', {
      hint: 'Export the profiles again from Jumpgate and import that file.',
    });
  }
  const parsed = TeamFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'unknown problem';
    throw new JumpgateError('IMPORT_INVALID', `The team file cannot be imported (${where}).`, {
      hint: 'Ask the sender for a fresh export from a current Jumpgate.',
    });
  }
  const hops = new Set(parsed.data.profiles.flatMap((profile) => [...profile.jumpHost.via, profile.jumpHost].map((hop) => `${hop.host}:${hop.port}`)));
  return { profiles: parsed.data.profiles, hostKeys: (parsed.data.hostKeys ?? []).filter((key) => hops.has(`${key.host}:${key.port}`)) };
}

/** What replacing `current` profiles with `incoming` ones of the same ids would add and change. */
export function planProfiles(current: readonly Profile[], incoming: readonly Profile[]): ImportPlan {
  const plan: ImportPlan = { add: [], change: [], unchanged: [] };
  for (const next of incoming) {
    const existing = current.find((profile) => profile.id === next.id);
    if (!existing) plan.add.push(next);
    else {
      const fields = changedFields(existing, next);
      if (fields.length === 0) plan.unchanged.push(next.id);
      else plan.change.push({ before: existing, after: next, fields });
    }
  }
  return plan;
}

/** Read a team file and say what importing it would add and change. Nothing is written. */
export function planImport(current: readonly Profile[], text: string): ImportPlan {
  return planProfiles(current, parseTeamFile(text).profiles);
}

/** The profile list after applying a plan the user accepted. */
export function applyImport(current: readonly Profile[], plan: ImportPlan): Profile[] {
  const replaced = new Map(plan.change.map((entry) => [entry.after.id, entry.after]));
  return [...current.map((profile) => replaced.get(profile.id) ?? profile), ...plan.add];
}
