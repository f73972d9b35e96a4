import type { Handlers } from '../../../shared/contract';
import type { ServiceContext } from '../serviceContext';

/** The local audit log, newest first; new entries also flow as `audit:entry` events. */
export function auditHandlers({ audit }: ServiceContext): Pick<Handlers, 'audit:list'> {
  return {
    'audit:list': async (request) => audit.list(request?.limit),
  };
}
