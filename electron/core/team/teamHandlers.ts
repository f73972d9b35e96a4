import type { Handlers } from '../../../shared/contract';
import type { ServiceContext } from '../serviceContext';

type TeamChannels = 'team:planPublish' | 'team:publish' | 'team:discover' | 'team:fetch' | 'team:follow' | 'team:refresh' | 'team:status';

/** Team profiles published in AWS and followed (issue #16): each channel is one call on the service's TeamSources. */
export function teamHandlers({ team }: ServiceContext): Pick<Handlers, TeamChannels> {
  return {
    'team:planPublish': async (request) => team.planPublish(request),
    'team:publish': async (request) => team.publish(request),
    'team:discover': async (request) => team.discover(request ?? {}),
    'team:fetch': async (request) => team.fetch(request),
    'team:follow': async (request) => team.follow(request),
    'team:refresh': async () => team.refresh(),
    'team:status': async () => team.status(),
  };
}
