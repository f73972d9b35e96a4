import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../shared/channels';
import type { Reply } from '../../shared/contract';
import { JumpgateError } from '../../shared/model/errors';
import type { Dispatch } from '../core/dispatcher';
import type { Jumpgate } from '../core/service';
import type { SenderInfo } from './ipcGuard';

/** The slice of Electron's ipcMain this module uses, so it is testable without Electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcEventLike {
  senderFrame: { url: string; parent: unknown } | null;
  sender: { id: number };
}

export function senderInfo(event: IpcEventLike): SenderInfo {
  return {
    frameUrl: event.senderFrame?.url,
    isMainFrame: event.senderFrame !== null && event.senderFrame.parent === null,
    webContentsId: event.sender.id,
  };
}

const FORBIDDEN: Reply<never> = {
  ok: false,
  error: new JumpgateError('BAD_REQUEST', 'This page may not talk to Jumpgate.', {
    hint: 'Only the Jumpgate window can use the app.',
  }).toInfo(),
};

/**
 * Register one handler per contract channel, each behind the sender guard and
 * the dispatcher. Returns the function that unregisters them all.
 */
export function registerContract(ipcMain: IpcMainLike, dispatch: Dispatch, isTrusted: (sender: SenderInfo) => boolean): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, async (event, payload) => (isTrusted(senderInfo(event)) ? dispatch(channel, payload) : FORBIDDEN));
  }
  return () => {
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Relay service events to a window; only contract event channels are ever sent. */
export function forwardEvents(jumpgate: Pick<Jumpgate, 'subscribe'>, send: (channel: string, payload: unknown) => void): () => void {
  return jumpgate.subscribe((channel, payload) => {
    if ((EVENT_CHANNELS as readonly string[]).includes(channel)) send(channel, payload);
  });
}
