import { ProfileSchema, type DbTarget, type Profile } from '../shared/model/profile';

/**
 * What the Endpoints screen does with what AWS reported. Making a target from a discovered
 * database is shared with the CLI's `jumpgate discover --add` (shared/discoveredTargets.ts).
 */
export { endpointKindsOf, existingTargetFor, targetFromDiscovered, type DiscoveredDatabase, type RdsEndpointKind } from '../shared/discoveredTargets';

/**
 * The profile with `target` appended, checked with the store's own schema; the
 * problem as a sentence otherwise (a port another profile uses is one too:
 * the schema sees only this profile).
 */
export function withTarget(profile: Profile, target: DbTarget, allProfiles: readonly Profile[]): { profile: Profile } | { problem: string } {
  const others = allProfiles.filter((entry) => entry.id !== profile.id);
  const holder = others.find((entry) => entry.targets.some((existing) => existing.localPort === target.localPort));
  if (holder) return { problem: `Local port ${target.localPort} is already used by profile ${holder.name}.` };
  const parsed = ProfileSchema.safeParse({ ...profile, targets: [...profile.targets, target] });
  if (parsed.success) return { profile: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.at(-1);
  const what = field === 'localPort' ? 'Local port' : field === 'name' ? 'Target name' : 'The target';
  return { problem: `${what}: ${issue?.message ?? 'not valid'}.` };
}

/** RDS's identifier rule, as the service enforces it: said here before the user waits on a refusal. */
export function rdsIdentifierProblem(identifier: string, sourceIdentifier?: string): string | undefined {
  if (identifier === '') return 'Type a name for the new database.';
  if (identifier.length > 63) return 'At most 63 characters.';
  if (!/^[a-zA-Z]/.test(identifier)) return 'Start with a letter.';
  if (!/^[a-zA-Z0-9-]+$/.test(identifier)) return 'Use only letters, digits and hyphens.';
  if (identifier.includes('--')) return 'No two hyphens in a row.';
  if (identifier.endsWith('-')) return 'Do not end with a hyphen.';
  if (sourceIdentifier && identifier.toLowerCase() === sourceIdentifier.toLowerCase()) return 'That is the production database: a restore always makes a new one.';
  return undefined;
}

/**
 * A name for a snapshot's restored copy that passes RDS's rule and is not taken: the source's
 * name, "-rollback-" and the snapshot's date (when it was taken, so the copy says which
 * point in time it holds), then -2, -3... past names already in use. The source part is cut
 * to fit RDS's 63 characters.
 */
export function proposedRestoreName(snapshot: { sourceIdentifier: string; createdAt?: string | undefined }, taken: ReadonlySet<string>): string {
  const used = new Set([...taken].map((name) => name.toLowerCase()));
  const when = snapshot.createdAt && !Number.isNaN(Date.parse(snapshot.createdAt)) ? new Date(snapshot.createdAt).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-') : '';
  const suffix = when ? `-rollback-${when}` : '-rollback';
  // Only letters, digits and single hyphens survive from the source's name (RDS names follow that rule already; this keeps the proposal valid if one does not).
  const source = snapshot.sourceIdentifier.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^[^a-z]+/, '') || 'db';
  for (let n = 1; ; n++) {
    const counter = n === 1 ? '' : `-${n}`;
    const room = 63 - suffix.length - counter.length;
    const name = `${source.slice(0, room).replace(/-+$/, '')}${suffix}${counter}`;
    if (!used.has(name) && rdsIdentifierProblem(name, snapshot.sourceIdentifier) === undefined) return name;
  }
}

/** What a denied allow or remove was about: the facts an administrator needs to do it instead. */
export interface AccessRequest {
  action: 'allow' | 'remove';
  /** The user's public IPv4 address. */
  ip: string;
  groupId: string;
  port: number;
  region: string;
  /** For a removal: the rule's CIDR, when it is known. */
  ruleCidr?: string;
}

/** The message the user sends their AWS administrator when they may not change the jump box's security group. */
export function adminRequestText(request: AccessRequest): string {
  const where = `security group ${request.groupId} (region ${request.region})`;
  const ask =
    request.action === 'allow'
      ? [
          `Could you please allow my IP address ${request.ip}/32 to reach the jump box on TCP port ${request.port}?`,
          '',
          `  Security group: ${request.groupId}`,
          `  Region:         ${request.region}`,
          `  Inbound rule:   TCP ${request.port} from ${request.ip}/32`,
        ]
      : [
          `Could you please remove my inbound rule for ${request.ruleCidr ?? `${request.ip}/32`} on TCP port ${request.port} from ${where}?`,
          'I no longer need it.',
        ];
  return ['Hello,', '', ...ask, '', 'My AWS account may not change that security group itself. Thank you!'].join('\n');
}
