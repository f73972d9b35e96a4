import { fileURLToPath } from 'node:url';

/** What the guard needs to know about who sent an IPC message (taken from Electron's event). */
export interface SenderInfo {
  /** URL of the frame that sent it; undefined if the frame is gone. */
  frameUrl: string | undefined;
  /** True only for the top-level frame (not an iframe). */
  isMainFrame: boolean;
  /** The webContents that sent it. */
  webContentsId: number;
}

export interface TrustedOrigin {
  /** The renderer's index.html on disk: the only page allowed to call main. */
  indexHtmlPath: string;
  /** webContents ids of windows Jumpgate created. */
  webContentsIds: ReadonlySet<number>;
}

/**
 * "Validate the sender" (Electron security checklist): only our own window's
 * top frame, showing our own file, may call the contract. Anything else (an
 * iframe, a navigated page, another webContents) is refused. Written as a pure
 * function so the check itself is tested: an inverted check has shipped before.
 */
export function isTrustedSender(sender: SenderInfo, trusted: TrustedOrigin): boolean {
  if (!sender.isMainFrame || !trusted.webContentsIds.has(sender.webContentsId) || !sender.frameUrl) return false;
  let url: URL;
  try {
    url = new URL(sender.frameUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) return false;
  try {
    return fileURLToPath(url) === trusted.indexHtmlPath;
  } catch {
    return false;
  }
}
