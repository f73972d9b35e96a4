import type { Handlers } from '../../../shared/contract';
import { jumpBoxSshPort } from '../../../shared/model/profile';
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
export function awsHandlers({ deps, profiles, aws, bus }: ServiceContext): Pick<Handlers, AwsChannels> {
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
    'aws:checkAccess': async ({ profileId }) => {
      const profile = profiles.get(profileId);
      const ip = await aws.myIp();
      return withAccessFacts(profile, ip, async () => {
        const groupIds = await aws.jumpBoxGroups(profile);
        return { ip, ...(await aws.gatewayFor(profile).checkAccess({ groupIds, ip, port: jumpBoxSshPort(profile) })) };
      });
    },
    'aws:allowMyIp': async ({ profileId, label }) => {
      const profile = profiles.get(profileId);
      const ip = await aws.myIp();
      return withAccessFacts(profile, ip, async () => {
        const [groupId] = await aws.jumpBoxGroups(profile);
        const result = await aws.gatewayFor(profile).allowMyIp({ groupId: groupId as string, ip, port: jumpBoxSshPort(profile), ...(label ? { label } : {}) });
        return { ip, ...result };
      });
    },
    'aws:removeMyIp': async ({ profileId, label }) => {
      const profile = profiles.get(profileId);
      const [groupId] = await aws.jumpBoxGroups(profile);
      return aws.gatewayFor(profile).removeMyIp({ groupId: groupId as string, ...(label ? { label } : {}) });
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
    'aws:deleteRestored': async ({ profileId, identifier, confirmIdentifier }) =>
      aws.gatewayFor(profiles.get(profileId)).deleteRestoredCopy({ ...deps.restorePolling, identifier, confirmIdentifier }),
  };
}
