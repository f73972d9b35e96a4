import type { JumpgateBridge } from '../../shared/bridge';
import { isRequestChannel } from '../../shared/channels';
import { contract, type Handlers, type Reply } from '../../shared/contract';
import { JumpgateError, toErrorInfo } from '../../shared/model/errors';

export type Dispatch = (channel: unknown, payload: unknown) => Promise<Reply<unknown>>;

function badRequest(message: string, hint = 'This request does not match the contract; update the app.'): Reply<never> {
  return { ok: false, error: new JumpgateError('BAD_REQUEST', message, { hint }).toInfo() };
}

/**
 * The one wrapper in front of the service for every transport: it checks the
 * channel, parses the request with the contract's schema, calls the handler and
 * turns any outcome into a Reply. It never throws and never lets a stack trace,
 * an option object or a secret cross the boundary.
 */
export function createDispatcher(handlers: Handlers, onUnexpected?: (channel: string, error: unknown) => void): Dispatch {
  return async (channel, payload) => {
    if (!isRequestChannel(channel)) {
      // Never call String() on a hostile value: its toString may throw (found by the fuzz test).
      const name = typeof channel === 'string' ? JSON.stringify(channel).slice(0, 80) : `of type ${typeof channel}`;
      return badRequest(`Unknown channel ${name}.`);
    }
    const parsed = contract[channel].request.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.map(String).join('.') || 'request'}: ${issue.message}` : 'invalid request';
      return badRequest(`Invalid request for ${channel} (${where}).`);
    }
    try {
      const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      if (!(error instanceof JumpgateError)) onUnexpected?.(channel, error);
      return { ok: false, error: toErrorInfo(error) };
    }
  };
}

/** The typed call side of the bridge over a dispatcher: for in-process front ends (CLI, tests). */
export function invokerFor(dispatch: Dispatch): JumpgateBridge['invoke'] {
  return ((channel: unknown, request: unknown) => dispatch(channel, request)) as JumpgateBridge['invoke'];
}
