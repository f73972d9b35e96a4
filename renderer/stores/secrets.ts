import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf, Reply, RequestOf, ResponseOf } from '../../shared/contract';
import type { FeedbackState } from './feedback';
import { remoteCall } from './remoteCall';

type Pending = NonNullable<EventOf<'secrets:clipboard'>['pending']>;
type TargetRef = { profileId: string; targetId: string };
export type ConnectionStringFormat = RequestOf<'secrets:copyConnectionString'>['format'];
export type Credentials = ResponseOf<'secrets:revealPassword'>;

/**
 * A target's password and connection strings, fetched from Secrets Manager on
 * each request and never kept here; and what Jumpgate has put on the clipboard,
 * from the service's own events: the countdown ends when the clear really ran,
 * not when this page's clock says so.
 */
export interface SecretsState {
  seq: number;
  pending: Pending | undefined;
  /** The label of the last copy that left the clipboard, for "cleared" feedback. */
  lastCleared: string | undefined;
  init(): () => void;
  copyPassword(ref: TargetRef): Promise<void>;
  /** The credentials to show; the caller holds them only while they are shown. Undefined (with the error shown) when refused. */
  revealPassword(ref: TargetRef): Promise<Credentials | undefined>;
  copyConnectionString(ref: TargetRef, format: ConnectionStringFormat): Promise<void>;
  clearClipboard(): Promise<void>;
}

export function createSecretsStore(bridge: JumpgateBridge, feedback: StoreApi<FeedbackState>) {
  const copyPassword = remoteCall(bridge, 'secrets:copyPassword');
  const revealPassword = remoteCall(bridge, 'secrets:revealPassword');
  const copyConnectionString = remoteCall(bridge, 'secrets:copyConnectionString');
  const clearClipboard = remoteCall(bridge, 'secrets:clearClipboard');
  const showErrorOf = (reply: Reply<unknown>): void => {
    if (!reply.ok) feedback.getState().showError(reply.error);
  };

  return create<SecretsState>()((set, get) => ({
    seq: 0,
    pending: undefined,
    lastCleared: undefined,
    init: () =>
      bridge.on('secrets:clipboard', (event) => {
        if (event.seq <= get().seq) return;
        const before = get().pending;
        set({ seq: event.seq, pending: event.pending, lastCleared: !event.pending && before ? before.label : get().lastCleared });
      }),
    copyPassword: async (ref) => showErrorOf(await copyPassword.send(ref)),
    revealPassword: async (ref) => {
      const reply = await revealPassword.send(ref);
      showErrorOf(reply);
      return reply.ok ? reply.value : undefined;
    },
    copyConnectionString: async (ref, format) => showErrorOf(await copyConnectionString.send({ ...ref, format })),
    clearClipboard: async () => showErrorOf(await clearClipboard.send({})),
  }));
}
