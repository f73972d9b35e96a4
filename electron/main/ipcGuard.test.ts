import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REQUEST_CHANNELS } from '../../shared/channels';
import type { Reply } from '../../shared/contract';
import { registerContract, type IpcEventLike, type IpcMainLike } from './ipc';
import { isTrustedSender } from './ipcGuard';

const indexHtmlPath = '/opt/Jumpgate/resources/app.asar/dist/renderer/index.html';
const ourUrl = pathToFileURL(indexHtmlPath).href;
const trusted = { indexHtmlPath, webContentsIds: new Set([7]) };

describe('isTrustedSender', () => {
  it('accepts our window’s top frame showing our index.html (with a hash route)', () => {
    expect(isTrustedSender({ frameUrl: ourUrl, isMainFrame: true, webContentsId: 7 }, trusted)).toBe(true);
    expect(isTrustedSender({ frameUrl: `${ourUrl}#/profiles/prod`, isMainFrame: true, webContentsId: 7 }, trusted)).toBe(true);
  });

  it.each([
    ['an iframe', { frameUrl: ourUrl, isMainFrame: false, webContentsId: 7 }],
    ['another webContents', { frameUrl: ourUrl, isMainFrame: true, webContentsId: 8 }],
    ['a remote page', { frameUrl: 'https://evil.example/index.html', isMainFrame: true, webContentsId: 7 }],
    ['another local file', { frameUrl: pathToFileURL('/tmp/index.html').href, isMainFrame: true, webContentsId: 7 }],
    ['a path trick', { frameUrl: `${pathToFileURL('/opt/Jumpgate/resources/app.asar/dist/renderer/../../x').href}/index.html`, isMainFrame: true, webContentsId: 7 }],
    ['a UNC-style file URL', { frameUrl: `file://attacker${indexHtmlPath}`, isMainFrame: true, webContentsId: 7 }],
    ['a gone frame', { frameUrl: undefined, isMainFrame: true, webContentsId: 7 }],
    ['garbage', { frameUrl: 'not a url', isMainFrame: true, webContentsId: 7 }],
  ])('refuses %s', (_name, sender) => {
    expect(isTrustedSender(sender, trusted)).toBe(false);
  });
});

describe('registerContract', () => {
  function fakeIpc(): IpcMainLike & { handlers: Map<string, (event: IpcEventLike, payload: unknown) => Promise<unknown>> } {
    const handlers = new Map<string, (event: IpcEventLike, payload: unknown) => Promise<unknown>>();
    return {
      handlers,
      handle: (channel, listener) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, listener);
      },
      removeHandler: (channel) => handlers.delete(channel),
    };
  }

  it('registers exactly the contract channels, each behind the guard', async () => {
    const ipc = fakeIpc();
    const calls: Array<[unknown, unknown]> = [];
    const unregister = registerContract(
      ipc,
      async (channel, payload) => {
        calls.push([channel, payload]);
        return { ok: true, value: null };
      },
      (sender) => isTrustedSender(sender, trusted),
    );
    expect([...ipc.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());

    const fromUs: IpcEventLike = { senderFrame: { url: ourUrl, parent: null }, sender: { id: 7 } };
    const fromIframe: IpcEventLike = { senderFrame: { url: ourUrl, parent: {} }, sender: { id: 7 } };
    const fromElsewhere: IpcEventLike = { senderFrame: { url: 'https://evil.example/', parent: null }, sender: { id: 7 } };

    const handler = ipc.handlers.get('profiles:list');
    expect(await handler?.(fromUs, {})).toEqual({ ok: true, value: null });
    const refused = (await handler?.(fromIframe, {})) as Reply<unknown>;
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await handler?.(fromElsewhere, {})).toMatchObject({ ok: false });
    // The dispatcher only ever saw the trusted call.
    expect(calls).toEqual([['profiles:list', {}]]);

    unregister();
    expect(ipc.handlers.size).toBe(0);
  });
});
