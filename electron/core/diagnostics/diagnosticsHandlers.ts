import type { Handlers, ParsedRequestOf } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import { jumpBoxKeyPath, jumpBoxSshPort, routeKeyPaths, type DbTarget, type Profile } from '../../../shared/model/profile';
import type { KeyVerdicts } from '../secrets/passphraseCache';
import { findTarget } from '../profiles/profileIntents';
import type { ServiceContext } from '../serviceContext';
import { JumpHostPool } from '../ssh/jumpHostPool';
import { runDoctor, type DoctorReport } from './doctor';

type Unlock = ParsedRequestOf<'diagnostics:run'>['unlock'];

/**
 * Which keys the doctor's run opened and which refused their passphrase. The key step opens the
 * jump host's key; a login (the auth step) opens every key of the route; a wrong passphrase may
 * show on any step that loads a key (an outer ProxyJump hop's fails the host-key step) and names
 * its key.
 */
function keyVerdicts(profile: Profile, report: DoctorReport): KeyVerdicts {
  const finalKey = jumpBoxKeyPath(profile);
  const passed = (id: string): boolean => report.checks.some((check) => check.id === id && check.status === 'pass');
  const opened = passed('auth') ? routeKeyPaths(profile) : passed('key') && finalKey ? [finalKey] : [];
  const refused = report.checks.flatMap((check) =>
    check.error?.code === 'BAD_PASSPHRASE' ? [check.error.details?.keyPath ?? (check.id === 'key' ? finalKey : undefined)].filter((path): path is string => path !== undefined) : [],
  );
  return { opened, refused };
}

/** The ordered doctor over a profile (and one of its targets), with the real AWS, jump box and database behind each step. */
export function diagnosticsHandlers({ deps, profiles, aws, knownHosts, passphrases }: ServiceContext): Pick<Handlers, 'diagnostics:run' | 'diagnostics:testDraft'> {
  async function diagnose(profile: Profile, target: DbTarget | undefined, unlock: Unlock | undefined) {
    const gateway = aws.gatewayFor(profile);
    // A pool of its own: the probe must not share (or drop) the connection running tunnels use.
    const probePool = new JumpHostPool({ ...deps.pool, knownHosts, passphraseFor: passphrases.passphraseFor });
    // A passphrase typed for the doctor is Connect's: kept for the session once the key opened with it
    // (and in the keychain if asked), dropped if the key refused it.
    const run = () =>
      runDoctor({
        profile,
        ...(target ? { target } : {}),
        pool: probePool,
        passphraseFor: passphrases.passphraseFor,
        whoAmI: async () => {
          const identity = await gateway.whoAmI();
          return `${identity.arn} (account ${identity.account})`;
        },
        regionCheck: async () => {
          const found = await gateway.discoverDatabases({ scanRegions: false });
          const wanted = profile.targets.filter((entry) => entry.remote.kind === 'rds');
          if (wanted.length > 0 && found.databases.length === 0) {
            throw new JumpgateError('AWS_NOT_FOUND', `No RDS databases in ${profile.aws.region}.`, {
              hint: "Check the profile's region (the RDS console shows the region of each database).",
            });
          }
          return `${profile.aws.region}: ${found.databases.length} RDS database(s) visible`;
        },
        ...(profile.aws.securityGroupId || profile.aws.jumpHostInstanceId
          ? {
              ipCheck: async () => {
                const [ip, groups] = await Promise.all([aws.myIp(), aws.jumpBoxGroups(profile)]);
                const { allowed } = await gateway.checkAccess({ groupIds: groups, ip, port: jumpBoxSshPort(profile) });
                return { allowed, ip, groups };
              },
            }
          : {}),
        resolveRemote: (entry) => aws.resolveRemote(profile, entry),
        credentialsFor: (entry) => aws.credentialsFor(profile, entry),
      });
    try {
      const { value: report, notRemembered } = await passphrases.withUnlockJudged(profile, unlock, run, (report) => keyVerdicts(profile, report));
      return { ...report, ...(notRemembered ? { notRemembered } : {}) };
    } finally {
      await probePool.dispose();
    }
  }

  return {
    'diagnostics:run': async ({ profileId, targetId, unlock }) => {
      const profile = profiles.get(profileId);
      const target = targetId ? profiles.getTarget(profileId, targetId).target : profile.targets[0];
      return diagnose(profile, target, unlock);
    },
    // "Test connection" in the editor: the form's content, checked as a save would check it, never saved.
    'diagnostics:testDraft': async ({ profile: input, targetId, unlock }) => {
      const profile = profiles.validateProfile(input);
      const target = targetId ? findTarget(profile, targetId) : profile.targets[0];
      return diagnose(profile, target, unlock);
    },
  };
}
