import { JumpgateError } from '../../../shared/model/errors';
import type { JumpHostAuth } from '../../../shared/model/jumpHost';
import { ProfileOptionsSchema, ProfileSchema, type DbTarget, type Profile } from '../../../shared/model/profile';

/**
 * What of a profile belongs to the team and what to each person (issue #16). The team publishes
 * where things are: the jump host and its hops, the targets with their RDS identifiers, engines,
 * conventional local ports and password sources, the security group and region. Each person keeps
 * how they log in (key path or agent, and the jump box user name if they changed it), the AWS profile
 * name of their own ~/.aws/config, their options, the local ports they moved and the targets they added. A follow re-applies
 * the person's settings over each new version of the team's.
 */

/** How a published profile logs in until its follower says otherwise: this computer's usual SSH agent. Names no file. */
const NEUTRAL_AUTH: JumpHostAuth = { kind: 'agent' };

/** The profile as the team publishes it: nothing personal (no key path, agent socket, AWS profile name or options). */
export function publishedProfile(profile: Profile): Profile {
  const { profile: _awsProfile, ...aws } = profile.aws;
  return ProfileSchema.parse({
    ...profile,
    jumpHost: { ...profile.jumpHost, auth: NEUTRAL_AUTH, via: profile.jumpHost.via.map((hop) => ({ ...hop, auth: NEUTRAL_AUTH })) },
    aws,
    options: ProfileOptionsSchema.parse({}),
  });
}

/** One person's own settings of a followed profile, kept apart from the team's. */
export interface PersonalSettings {
  auth?: JumpHostAuth;
  /** The login of each ProxyJump hop, by `host:port`. */
  hopAuth: Record<string, JumpHostAuth>;
  awsProfile?: string;
  /** The jump box login name the person changed from the team's (a per-person account on the jump box). */
  user?: string;
  options?: Profile['options'];
  /** Local ports the person moved away from the team's, by target id. */
  localPorts: Record<string, number>;
  /** Targets the person added to the profile themselves. */
  ownTargets: DbTarget[];
}

/**
 * The person's settings in `current` (their saved profile), told apart from the team's by `base`,
 * the team's version they last applied: a local port that differs from the base's was moved by
 * the person; one equal to it follows the team. Without a base (a first follow over a profile of
 * the same id) no port counts as moved, and targets the team does not have are the person's.
 */
export function personalSettings(current: Profile | undefined, base: Profile | undefined, team: Profile): PersonalSettings {
  const settings: PersonalSettings = { hopAuth: {}, localPorts: {}, ownTargets: [] };
  if (!current) return settings;
  settings.auth = current.jumpHost.auth;
  for (const hop of current.jumpHost.via) settings.hopAuth[`${hop.host}:${hop.port}`] = hop.auth;
  if (current.aws.profile) settings.awsProfile = current.aws.profile;
  // Told apart as a moved port is: equal to the team's last version, it follows the team.
  if (base && current.jumpHost.user !== base.jumpHost.user) settings.user = current.jumpHost.user;
  settings.options = current.options;
  const known = base ?? team;
  for (const target of current.targets) {
    const before = known.targets.find((entry) => entry.id === target.id);
    if (!before) settings.ownTargets.push(target);
    else if (base && before.localPort !== target.localPort) settings.localPorts[target.id] = target.localPort;
  }
  return settings;
}

/**
 * The team's profile with the person's settings over it. `keyPath`: the key the person logs in
 * with from now on (`jumpgate team follow --key`), for the jump host and the hops that log in as it does.
 */
export function withPersonalSettings(team: Profile, personal: PersonalSettings, keyPath?: string): Profile {
  const key: JumpHostAuth | undefined = keyPath ? { kind: 'key', keyPath } : undefined;
  const auth = key ?? personal.auth ?? team.jumpHost.auth;
  const via = team.jumpHost.via.map((hop) => ({ ...hop, auth: personal.hopAuth[`${hop.host}:${hop.port}`] ?? key ?? hop.auth }));
  const teamIds = new Set(team.targets.map((target) => target.id));
  const targets = [
    ...team.targets.map((target) => ({ ...target, localPort: personal.localPorts[target.id] ?? target.localPort })),
    // A target of the person's own whose id the team now uses gives way to the team's.
    ...personal.ownTargets.filter((target) => !teamIds.has(target.id)),
  ];
  const merged = {
    ...team,
    jumpHost: { ...team.jumpHost, ...(personal.user ? { user: personal.user } : {}), auth, via },
    aws: { ...team.aws, ...(personal.awsProfile ? { profile: personal.awsProfile } : {}) },
    options: personal.options ?? team.options,
    targets,
  };
  const parsed = ProfileSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JumpgateError('PROFILE_INVALID', `The team's profile "${team.name}" does not fit with your own settings (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}).`, {
      hint: 'Move your own local port or target out of the way (jumpgate profile target ...), then follow again.',
    });
  }
  return parsed.data;
}

/**
 * Refuse followed profiles whose local ports another of the person's profiles already listens on
 * (the schema sees one profile at a time): both could not connect at once.
 */
export function assertPortsFree(followed: readonly Profile[], others: readonly Profile[]): void {
  for (const profile of followed) {
    for (const target of profile.targets) {
      const holder = others.find((other) => other.targets.some((entry) => entry.localPort === target.localPort));
      if (holder) {
        throw new JumpgateError('PROFILE_INVALID', `The team's target ${profile.name} / ${target.name} uses local port ${target.localPort}, which your profile ${holder.name} already uses.`, {
          hint: `Move ${holder.name}'s target to another local port, then follow again.`,
        });
      }
    }
  }
}
