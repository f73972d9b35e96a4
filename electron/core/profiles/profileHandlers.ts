import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Handlers } from '../../../shared/contract';
import { toErrorInfo } from '../../../shared/model/errors';
import type { ServiceContext } from '../serviceContext';
import { importSshConfig } from './sshConfigImport';
import { applyImport, exportTeamFile, planImport } from './teamFile';

type ProfileChannels =
  | 'profiles:list'
  | 'profiles:get'
  | 'profiles:save'
  | 'profiles:delete'
  | 'profiles:duplicate'
  | 'profiles:export'
  | 'profiles:planImport'
  | 'profiles:applyImport'
  | 'profiles:importSshConfig';

/** The saved profiles: every change is one atomic write in the store, announced on the bus with the whole list. */
export function profileHandlers(context: ServiceContext): Pick<Handlers, ProfileChannels> {
  const { profiles, bus, tunnels } = context;
  const changed = (): void => bus.emit('profiles:changed', { profiles: profiles.list() });

  return {
    'profiles:list': async () => ({
      seq: bus.seqOf('profiles:changed'),
      profiles: profiles.list(),
      ...(context.profilesProblem ? { problem: toErrorInfo(context.profilesProblem) } : {}),
    }),
    'profiles:get': async ({ id }) => profiles.get(id),
    'profiles:save': async ({ profile }) => {
      const saved = await profiles.upsert(profile);
      changed();
      return saved;
    },
    'profiles:delete': async ({ id }) => {
      const profile = profiles.get(id);
      await tunnels.stopTargets(id, profile.targets.map((target) => target.id)).catch(() => undefined);
      await profiles.remove(id);
      changed();
      return null;
    },
    'profiles:duplicate': async ({ id, name }) => {
      const copy = await profiles.duplicate(id, name);
      changed();
      return copy;
    },
    'profiles:export': async ({ ids }) => ({ text: exportTeamFile(ids ? ids.map((id) => profiles.get(id)) : profiles.list()) }),
    'profiles:planImport': async ({ text }) => planImport(profiles.list(), text),
    'profiles:applyImport': async ({ text }) => {
      // The plan is made again here from the file itself, never taken from the caller.
      const current = profiles.list();
      await profiles.replaceAll(applyImport(current, planImport(current, text)));
      changed();
      return profiles.list();
    },
    'profiles:importSshConfig': async () => {
      const path = context.deps.sshConfigPath ?? join(homedir(), '.ssh', 'config');
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return importSshConfig(text);
    },
  };
}
