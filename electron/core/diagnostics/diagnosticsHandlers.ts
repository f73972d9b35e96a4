import type { Handlers } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import { jumpBoxSshPort, type Profile } from '../../../shared/model/profile';
import type { ServiceContext } from '../serviceContext';
import { JumpHostPool } from '../ssh/jumpHostPool';
import { runDoctor } from './doctor';

/** Whether the doctor's AWS steps apply: the profile names something in AWS. */
function usesAws(profile: Profile): boolean {
  return (
    profile.aws.profile !== undefined ||
    profile.aws.securityGroupId !== undefined ||
    profile.aws.jumpHostInstanceId !== undefined ||
    profile.targets.some((entry) => entry.remote.kind === 'rds' || entry.secret.kind !== 'none')
  );
}

/** The ordered doctor over a profile (and one of its targets), with the real AWS, jump box and database behind each step. */
export function diagnosticsHandlers({ deps, profiles, aws, knownHosts, passphrases }: ServiceContext): Pick<Handlers, 'diagnostics:run'> {
  return {
    'diagnostics:run': async ({ profileId, targetId }) => {
      const profile = profiles.get(profileId);
      const target = targetId ? profiles.getTarget(profileId, targetId).target : profile.targets[0];
      const gateway = aws.gatewayFor(profile);
      // A pool of its own: the probe must not share (or drop) the connection running tunnels use.
      const probePool = new JumpHostPool({ ...deps.pool, knownHosts, passphraseFor: passphrases.passphraseFor });
      try {
        return await runDoctor({
          profile,
          ...(target ? { target } : {}),
          pool: probePool,
          passphraseFor: passphrases.passphraseFor,
          usesAws: usesAws(profile),
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
      } finally {
        await probePool.dispose();
      }
    },
  };
}
