import type { Handlers } from '../../../shared/contract';
import { jumpBoxSshPort } from '../../../shared/model/profile';
import { targetsPointingAt, withTargetsRemoved } from '../profiles/profileIntents';
import type { ServiceContext } from '../serviceContext';
import { listAwsProfiles } from './identity';
import { withAccessFacts } from './profileAws';

type AwsChannels =
  | 'aws:whoami'
  | 'aws:listProfiles'
  | 'aws:listDatabases'
  | 'aws:checkAccess'
  | 'aws:allowMyIp'
  | 'aws:removeMyIp'
  | 'aws:listSnapshots'
  | 'aws:restoreSnapshot'
  | 'aws:listRestored'
  | 'aws:deleteRestored';

/** Identity, RDS discovery, the jump box's security group and snapshot rollback, each in the profile's account and region. */
export function awsHandlers({ deps, profiles, aws, bus, tunnels }: ServiceContext): Pick<Handlers, AwsChannels> {
  return {
    'aws:whoami': async ({ profileId }) => aws.gatewayFor(profiles.get(profileId)).whoAmI(),
    'aws:listProfiles': async () =>
      listAwsProfiles({
        ...(deps.aws?.configFile ? { configFile: deps.aws.configFile } : {}),
        ...(deps.aws?.credentialsFile ? { credentialsFile: deps.aws.credentialsFile } : {}),
      }),
    'aws:listDatabases': async ({ profileId, region }) => {
      const takenPorts = profiles.list().flatMap((profile) => profile.targets.map((target) => target.localPort));
      return aws.gatewayFor(profiles.get(profileId)).discoverDatabases({ ...(region ? { region } : {}), takenPorts });
    },
    'aws:checkAccess': async ({ profileId, ip: given }) => {
      const profile = profiles.get(profileId);
      const ip = await aws.myIp(given);
      return withAccessFacts(profile, ip, async () => {
        const groupIds = await aws.jumpBoxGroups(profile);
        return { ip, ...(await aws.gatewayFor(profile).checkAccess({ groupIds, ip, port: jumpBoxSshPort(profile) })) };
      });
    },
    'aws:allowMyIp': async ({ profileId, label, ip: given }) => {
      const profile = profiles.get(profileId);
      const ip = await aws.myIp(given);
      return withAccessFacts(profile, ip, async () => {
        const [groupId] = await aws.jumpBoxGroups(profile);
        const result = await aws.gatewayFor(profile).allowMyIp({ groupId: groupId as string, ip, port: jumpBoxSshPort(profile), ...(label ? { label } : {}) });
        return { ip, ...result };
      });
    },
    'aws:removeMyIp': async ({ profileId, label }) => {
      const profile = profiles.get(profileId);
      const [groupId] = await aws.jumpBoxGroups(profile);
      return aws.gatewayFor(profile).removeMyIp({ groupId: groupId as string, port: jumpBoxSshPort(profile), ...(label ? { label } : {}) });
    },
    'aws:listSnapshots': async ({ profileId, targetId }) => {
      const { profile, target } = profiles.getTarget(profileId, targetId);
      // The database behind the target comes from the gateway's listing, shared with the password copy of the same click.
      return aws.gatewayFor(profile).snapshotsOf(target);
    },
    'aws:restoreSnapshot': async ({ profileId, targetId, snapshot, newIdentifier }) => {
      const { profile } = profiles.getTarget(profileId, targetId);
      return aws.gatewayFor(profile).restoreSnapshot({
        ...deps.restorePolling,
        snapshot,
        newIdentifier,
        onProgress: (progress) => bus.emit('aws:restoreProgress', { profileId, ...progress }),
      });
    },
    'aws:listRestored': async ({ profileId }) => aws.gatewayFor(profiles.get(profileId)).restoredCopies(),
    'aws:deleteRestored': async ({ profileId, identifier, confirmIdentifier }) => {
      const result = await aws.gatewayFor(profiles.get(profileId)).deleteRestoredCopy({ ...deps.restorePolling, identifier, confirmIdentifier });
      // The copy is gone: targets that tunnelled to it would only fail, so they go too, their tunnels first.
      // Whatever the profile looks like now (no revision asked): these targets point at nothing any more.
      const pointing = targetsPointingAt(profiles.get(profileId), identifier);
      if (pointing.length === 0) return { ...result, removedTargets: [] };
      const ids = pointing.map((target) => target.id);
      await tunnels.stopTargets(profileId, ids);
      await profiles.update(profileId, 'latest', (profile) =>
        withTargetsRemoved(profile, ids.filter((targetId) => profile.targets.some((target) => target.id === targetId))),
      );
      return { ...result, removedTargets: pointing.map((target) => ({ id: target.id, name: target.name })) };
    },
  };
}
