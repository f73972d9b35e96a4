import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { JumpgateBridge } from '../../shared/bridge';
import { isEventChannel, isRequestChannel } from '../../shared/channels';

/**
 * The page's only door to main: contract calls by name and event subscriptions,
 * each checked against the contract's channel list. ipcRenderer itself is never
 * exposed, so the page cannot send to any other channel.
 */
const bridge: JumpgateBridge = {
  invoke: ((channel: unknown, request: unknown) => {
    if (!isRequestChannel(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'BAD_REQUEST', message: 'Unknown channel.' } });
    }
    return ipcRenderer.invoke(channel, request);
  }) as JumpgateBridge['invoke'],
  on: ((channel: unknown, listener: (payload: unknown) => void) => {
    if (!isEventChannel(channel) || typeof listener !== 'function') throw new Error('Unknown event channel.');
    const relay = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, relay);
    return () => {
      ipcRenderer.removeListener(channel, relay);
    };
  }) as JumpgateBridge['on'],
  // The window lives in the same app as the service: if main goes, so does this page.
  onStatus: (listener) => {
    if (typeof listener === 'function') listener('connected');
    return () => undefined;
  },
};

contextBridge.exposeInMainWorld('jumpgate', Object.freeze(bridge));
