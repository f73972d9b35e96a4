import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Handlers } from '../../../shared/contract';
import { toErrorInfo } from '../../../shared/model/errors';
import type { ServiceContext } from '../serviceContext';
import { renamed, withKeyAttached, withRestoredCopyTarget, withTargetAdded, withTargetReplaced, withTargetsRemoved } from './profileIntents';
import { importSshConfig } from './sshConfigImport';
import { applyImport, exportTeamFile, planImport } from './teamFile';

type ProfileChannels =
  | 'profiles:list'
  | 'profiles:get'
  | 'profiles:save'
  | 'profiles:delete'
  | 'profiles:duplicate'
  | 'profiles:rename'
  | 'profiles:addTarget'
  | 'profiles:addTargets'
  | 'profiles:updateTarget'
  | 'profiles:removeTarget'
  | 'profiles:attachKey'
  | 'profiles:addRestoredCopyTarget'
  | 'profiles:export'
  | 'profiles:planImport'
  | 'profiles:applyImport'
  | 'profiles:importSshConfig';

/**
 * The saved profiles. Every change is one intent, atomic in the store and based on
 * the revision the caller saw (a stale one is refused with PROFILES_CONFLICT); the
 * store announces each saved change on the bus (see createJumpgate).
 */
export function profileHandlers(context: ServiceContext): Pick<Handlers, ProfileChannels> {
  const { profiles, bus, tunnels } = context;

  return {
    'profiles:list': async () => ({
      seq: bus.seqOf('profiles:changed'),
      revision: profiles.storeRevision,
      revisions: profiles.revisionsById(),
      profiles: profiles.list(),
      ...(context.profilesProblem ? { problem: toErrorInfo(context.profilesProblem) } : {}),
    }),
    'profiles:get': async ({ id }) => profiles.get(id),
    'profiles:save': async ({ profile, revision }) => profiles.save(profile, revision),
    'profiles:delete': async ({ id, revision }) => {
      const profile = profiles.get(id);
      // Checked before the tunnels close, so a stale delete closes nothing.
      if (profiles.isCurrent(id, revision)) await tunnels.stopTargets(id, profile.targets.map((target) => target.id)).catch(() => undefined);
      await profiles.remove(id, revision);
      return null;
    },
    'profiles:duplicate': async ({ id, name }) => profiles.duplicate(id, name),
    'profiles:rename': async ({ profileId, revision, name }) => profiles.update(profileId, revision, (profile) => renamed(profile, name)),
    'profiles:addTarget': async ({ profileId, revision, target }) =>
      profiles.update(profileId, revision, (profile, others) => withTargetAdded(profile, target, others)),
    'profiles:addTargets': async ({ profileId, revision, targets }) =>
      profiles.update(profileId, revision, (profile, others) => targets.reduce((next, target) => withTargetAdded(next, target, others), profile)),
    'profiles:updateTarget': async ({ profileId, revision, target }) =>
      profiles.update(profileId, revision, (profile, others) => withTargetReplaced(profile, target, others)),
    'profiles:removeTarget': async ({ profileId, revision, targetId }) => {
      const { target } = profiles.getTarget(profileId, targetId);
      if (profiles.isCurrent(profileId, revision)) await tunnels.stop(profileId, target.id);
      return profiles.update(profileId, revision, (profile) => withTargetsRemoved(profile, [targetId]));
    },
    'profiles:attachKey': async ({ profileId, revision, keyPath }) => profiles.update(profileId, revision, (profile) => withKeyAttached(profile, keyPath)),
    'profiles:addRestoredCopyTarget': async ({ profileId, revision, identifier, sourceTargetId }) => {
      let targetId = '';
      const saved = await profiles.update(profileId, revision, (profile, others) => {
        const next = withRestoredCopyTarget(profile, identifier.toLowerCase(), sourceTargetId, others);
        targetId = next.targetId;
        return next.profile;
      });
      return { ...saved, targetId };
    },
    'profiles:export': async ({ ids }) => ({ text: exportTeamFile(ids ? ids.map((id) => profiles.get(id)) : profiles.list()) }),
    'profiles:planImport': async ({ text }) => ({ ...planImport(profiles.list(), text), revision: profiles.storeRevision }),
    // The plan is made again here from the file itself, never taken from the caller.
    'profiles:applyImport': async ({ text, revision }) => profiles.replaceAll(revision, (current) => applyImport(current, planImport(current, text))),
    'profiles:importSshConfig': async () => {
      const path = context.deps.sshConfigPath ?? join(homedir(), '.ssh', 'config');
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { hosts: [], skipped: [] };
        throw error;
      }
      return importSshConfig(text, { path });
    },
  };
}
