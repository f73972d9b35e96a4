import { z } from 'zod';
import { JumpgateError } from '../../../shared/model/errors';
import { ProfileSchema, type Profile } from '../../../shared/model/profile';
import { changedFields } from './profileDiff';

/**
 * A profile set shared with a team: the same profiles, never a secret (there are
 * none in profiles by design; passwords come from Secrets Manager, passphrases
 * stay in each user's keychain). Importing shows what would change before it does.
 */
const TEAM_FORMAT = 'jumpgate-team-profiles';
const TEAM_VERSION = 1;

const TeamFileSchema = z.object({
  format: z.literal(TEAM_FORMAT),
  version: z.literal(TEAM_VERSION),
  exportedAt: z.string(),
  profiles: z.array(ProfileSchema).max(500),
});

export interface ImportPlan {
  add: Profile[];
  change: Array<{ before: Profile; after: Profile; fields: string[] }>;
  unchanged: string[];
}

export function exportTeamFile(profiles: readonly Profile[], now: Date = new Date()): string {
  return JSON.stringify({ format: TEAM_FORMAT, version: TEAM_VERSION, exportedAt: now.toISOString(), profiles }, null, 2) + '\n';
}

/** Read a team file and say what importing it would add and change. Nothing is written. */
export function planImport(current: readonly Profile[], text: string): ImportPlan {
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
  const plan: ImportPlan = { add: [], change: [], unchanged: [] };
  for (const incoming of parsed.data.profiles) {
    const existing = current.find((profile) => profile.id === incoming.id);
    if (!existing) plan.add.push(incoming);
    else {
      const fields = changedFields(existing, incoming);
      if (fields.length === 0) plan.unchanged.push(incoming.id);
      else plan.change.push({ before: existing, after: incoming, fields });
    }
  }
  return plan;
}

/** The profile list after applying a plan the user accepted. */
export function applyImport(current: readonly Profile[], plan: ImportPlan): Profile[] {
  const replaced = new Map(plan.change.map((entry) => [entry.after.id, entry.after]));
  return [...current.map((profile) => replaced.get(profile.id) ?? profile), ...plan.add];
}
