import type { JumpgateBridge } from '../../shared/bridge';
import type { RequestChannel } from '../../shared/channels';
import type { Reply, RequestOf, ResponseOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';

/** What a screen shows of a remote call: whether one is in flight, and the last value or error it got. */
export interface Remote<T> {
  pending: boolean;
  value: T | undefined;
  error: ErrorInfo | undefined;
}

/** A call never made: nothing pending, nothing known. */
export const NOT_ASKED: Remote<never> = { pending: false, value: undefined, error: undefined };

/** A reply, and whether its call was still the newest for its key when the reply arrived. */
export type Tracked<T> = Reply<T> & { latest: boolean };

/** One contract channel as the stores call it: the only place in the renderer that touches `bridge.invoke`. */
export interface RemoteCall<C extends RequestChannel> {
  /** Call once and hand back the reply; for actions whose outcome is the reply itself (copy a password, delete a profile). */
  send(request: RequestOf<C>): Promise<Reply<ResponseOf<C>>>;
  /**
   * Call and keep a Remote slot up to date through `update`: at once
   * `{pending: true, error: undefined}` (the last value stays on screen), then
   * `{pending: false, value, error: undefined}` or `{pending: false, error}`.
   * Per `key` only the newest call settles the slot: an older call whose reply
   * comes later would show stale data as if it were fresh, so its reply is
   * returned with `latest: false` and never reaches `update`.
   */
  track(key: string, request: RequestOf<C>, update: (change: Partial<Remote<ResponseOf<C>>>) => void): Promise<Tracked<ResponseOf<C>>>;
}

export function remoteCall<C extends RequestChannel>(bridge: JumpgateBridge, channel: C): RemoteCall<C> {
  const send = (request: RequestOf<C>): Promise<Reply<ResponseOf<C>>> => bridge.invoke(channel, request);
  // The number of the newest call per key, while it is in flight.
  const newest = new Map<string, number>();
  let calls = 0;
  return {
    send,
    track: async (key, request, update) => {
      const call = ++calls;
      newest.set(key, call);
      update({ pending: true, error: undefined });
      const reply = await send(request);
      const latest = newest.get(key) === call;
      if (latest) {
        newest.delete(key);
        update(reply.ok ? { pending: false, value: reply.value, error: undefined } : { pending: false, error: reply.error });
      }
      return { ...reply, latest };
    },
  };
}
