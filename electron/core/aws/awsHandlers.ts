import type { Handlers } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import { jumpBoxSshPort } from '../../../shared/model/profile';
import type { ServiceContext } from '../serviceContext';
import { listAwsProfiles, whoAmI } from './identity';
import { allowMyIp, checkAccess, removeMyIp } from './ipAllowList';
import { withAccessFacts } from './profileAws';
import { discoverDatabases } from './rdsDiscovery';
import { findRestoredCopies } from './restoredCopies';
import { deleteRestoredCopy, listSnapshots, restoreSnapshot } from './snapshots';

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
    'aws:whoami': async ({ profileId }) => whoAmI(aws.clientsFor(profiles.get(profileId))),
    'aws:listProfiles': async () =>
      listAwsProfiles({
        ...(deps.aws?.configFile ? { configFile: deps.aws.configFile } : {}),
        ...(deps.aws?.credentialsFile ? { credentialsFile: deps.aws.credentialsFile } : {}),
      }),
    'aws:listDatabases': async ({ profileId, region }) => {
      const takenPorts = profiles.list().flatMap((profile) => profile.targets.map((target) => target.localPort));
      return discoverDatabases(aws.clientsFor(profiles.get(profileId)), { ...(region ? { region } : {}), takenPorts });
    },
    'aws:checkAccess': async ({ profileId }) => {
      const profile = profiles.get(profileId);
      const ip = await aws.myIp();
      return withAccessFacts(profile, ip, async () => {
        const groupIds = await aws.jumpBoxGroups(profile);
        return { ip, ...(await checkAccess(aws.clientsFor(profile), { groupIds, ip, port: jumpBoxSshPort(profile) })) };
      });
    },
    'aws:allowMyIp': async ({ profileId, label }) => {
      const profile = profiles.get(profileId);
      const ip = await aws.myIp();
      return withAccessFacts(profile, ip, async () => {
        const [groupId] = await aws.jumpBoxGroups(profile);
        const result = await allowMyIp(aws.clientsFor(profile), { groupId: groupId as string, ip, port: jumpBoxSshPort(profile), ...(label ? { label } : {}) });
        return { ip, ...result };
      });
    },
    'aws:removeMyIp': async ({ profileId, label }) => {
      const profile = profiles.get(profileId);
      const [groupId] = await aws.jumpBoxGroups(profile);
      return removeMyIp(aws.clientsFor(profile), { groupId: groupId as string, ...(label ? { label } : {}) });
    },
    'aws:listSnapshots': async ({ profileId, targetId }) => {
      const { profile, target } = profiles.getTarget(profileId, targetId);
      const db = await aws.databaseOf(profile, target);
      if (!db) {
        throw new JumpgateError('AWS_NOT_FOUND', `No RDS database in ${profile.aws.region} matches target "${target.name}".`, {
          hint: 'Snapshots are listed for RDS targets: pick the database from Endpoints, or check the region.',
        });
      }
      return listSnapshots(aws.clientsFor(profile), db.kind === 'cluster' ? { clusterIdentifier: db.identifier } : { instanceIdentifier: db.identifier });
    },
    'aws:restoreSnapshot': async ({ profileId, targetId, snapshot, newIdentifier }) => {
      const { profile } = profiles.getTarget(profileId, targetId);
      return restoreSnapshot(aws.clientsFor(profile), {
        ...deps.restorePolling,
        snapshot,
        newIdentifier,
        onProgress: (progress) => bus.emit('aws:restoreProgress', { profileId, ...progress }),
      });
    },
    'aws:listRestored': async ({ profileId }) => findRestoredCopies(aws.clientsFor(profiles.get(profileId))),
    'aws:deleteRestored': async ({ profileId, identifier, confirmIdentifier }) =>
      deleteRestoredCopy(aws.clientsFor(profiles.get(profileId)), { ...deps.restorePolling, identifier, confirmIdentifier }),
  };
}
