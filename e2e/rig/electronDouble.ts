import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventWaiters } from './waitFor';

/**
 * A stand-in for the `electron` module, for the one thing these machines cannot run: the Electron
 * binary (its download is blocked here; DESIGN.md "Test peers"). It covers the part of Electron's
 * API the shell uses (electron/main/*, electron/preload/*): app, BrowserWindow and its webContents,
 * Tray, Menu, nativeImage, ipcMain, Notification, powerMonitor, net, clipboard, session and dialog
 * on the main side; contextBridge and ipcRenderer on the page side (`renderer()`).
 *
 * It records what it is asked, lets a test drive what Electron would (ready, window close, tray
 * clicks, resume, frames sending IPC), and behaves like Electron wherever the shell relies on it:
 * the single-instance lock is per userData folder; windows, trays and the default session refuse
 * to exist before `ready`; a destroyed window or tray throws when used; a prevented `close` keeps
 * the window and cancels a quit; `app.quit()` goes before-quit -> close every window -> will-quit
 * -> quit; IPC payloads cross by structured clone; `ipcMain.handle` refuses a second handler; the
 * context bridge copies what it exposes and needs context isolation; a missing image file makes
 * an empty nativeImage. Each ElectronDouble is one app instance (one process in Electron).
 */

/** Electron's preventable events (close, before-quit, will-quit, will-navigate, ...). */
export class PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** Single-instance locks, by userData folder, across every double in this process (each is one app). */
const instanceLocks = new Map<string, ElectronDouble>();

let nextId = 1;

function destroyedError(): TypeError {
  return new TypeError('Object has been destroyed');
}

/** A frame as ipcMain's `event.senderFrame` shows it (WebFrameMain): its URL and its parent, null for a top frame. */
export class FrameDouble {
  readonly routingId = nextId++;
  constructor(
    public url: string,
    readonly parent: FrameDouble | null = null,
  ) {}
}

export interface WebPreferencesSeen {
  preload?: string;
  contextIsolation?: boolean;
  sandbox?: boolean;
  nodeIntegration?: boolean;
  nodeIntegrationInSubFrames?: boolean;
  webSecurity?: boolean;
  webviewTag?: boolean;
  [name: string]: unknown;
}

export interface BrowserWindowOptions {
  show?: boolean;
  title?: string;
  webPreferences?: WebPreferencesSeen;
  [name: string]: unknown;
}

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

export class WebContentsDouble extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = new FrameDouble('about:blank');
  /** Every `send` from main, payloads as the page receives them (structured clones). */
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  /** What `loadFile` was asked to load. */
  readonly loadedFiles: string[] = [];
  windowOpenHandler: WindowOpenHandler | undefined;
  private destroyed = false;
  /** The main frame's ipcRenderer of each preload loaded here: where `send` delivers. */
  readonly pages = new Set<IpcRendererDouble>();

  constructor(
    private readonly owner: ElectronDouble,
    readonly webPreferences: WebPreferencesSeen,
  ) {
    super();
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw destroyedError();
    // Electron serializes IPC with the structured clone algorithm: a payload it cannot clone throws here too.
    const cloned = structuredClone(args);
    this.sent.push({ channel, args: cloned });
    for (const page of this.pages) page.deliver(channel, structuredClone(cloned));
    this.owner.changed();
  }

  getURL(): string {
    if (this.destroyed) throw destroyedError();
    return this.mainFrame.url;
  }

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }

  /** Like Electron: the main frame shows the file; a missing file rejects with ERR_FILE_NOT_FOUND. */
  loadFile(path: string): Promise<void> {
    if (this.destroyed) return Promise.reject(destroyedError());
    this.loadedFiles.push(path);
    const url = pathToFileURL(path).href;
    this.mainFrame.url = url;
    try {
      readFileSync(path);
    } catch {
      return Promise.reject(new Error(`ERR_FILE_NOT_FOUND (-6) loading '${url}'`));
    }
    setImmediate(() => {
      if (!this.destroyed) this.emit('did-finish-load');
    });
    return Promise.resolve();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('destroyed');
  }

  /** The page tries to navigate (a link, a form, location.href): true if it went, false if main prevented it. */
  pageNavigates(url: string): boolean {
    const event = new PreventableEvent();
    this.emit('will-navigate', event, url);
    if (event.defaultPrevented) return false;
    this.mainFrame.url = url;
    return true;
  }

  /** The page calls window.open: what the handler main set decides (Electron allows when none is set). */
  pageOpensWindow(url: string): 'allow' | 'deny' {
    return this.windowOpenHandler?.({ url }).action ?? 'allow';
  }

  /** The page adds a <webview>: true if it was attached, false if main prevented it. */
  pageAttachesWebview(): boolean {
    const event = new PreventableEvent();
    this.emit('will-attach-webview', event, {}, {});
    return !event.defaultPrevented;
  }
}

export class BrowserWindowDouble extends EventEmitter {
  private visible: boolean;
  private destroyed = false;
  private focused = false;
  private readonly contents: WebContentsDouble;

  constructor(
    private readonly owner: ElectronDouble,
    readonly options: BrowserWindowOptions,
  ) {
    super();
    if (!owner.app.isReady()) throw new Error('Cannot create BrowserWindow before app is ready');
    this.visible = options.show !== false;
    this.contents = new WebContentsDouble(owner, { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, ...options.webPreferences });
    this.contents.once('did-finish-load', () => this.emit('ready-to-show'));
    owner.windows.push(this);
    owner.app.emit('browser-window-created', new PreventableEvent(), this);
    owner.changed();
  }

  get webContents(): WebContentsDouble {
    return this.alive().contents;
  }

  loadFile(path: string): Promise<void> {
    return this.alive().contents.loadFile(path);
  }

  getTitle(): string {
    return this.alive().options.title ?? 'Electron';
  }

  show(): void {
    this.alive().visible = true;
    this.owner.changed();
  }

  hide(): void {
    this.alive().visible = false;
    this.owner.changed();
  }

  focus(): void {
    this.alive().focused = true;
  }

  isVisible(): boolean {
    return this.alive().visible;
  }

  isFocused(): boolean {
    return this.alive().focused;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** As the user clicking the close button: 'close' may be prevented; otherwise the window is destroyed. */
  close(): void {
    if (this.destroyed) return;
    const event = new PreventableEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.contents.destroy();
    this.emit('closed');
    this.owner.windowDestroyed();
  }

  private alive(): this {
    if (this.destroyed) throw destroyedError();
    return this;
  }
}

export interface MenuItemTemplate {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  enabled?: boolean;
  click?: (...args: unknown[]) => void;
  submenu?: MenuItemTemplate[];
}

export class MenuItemDouble {
  readonly label: string;
  readonly type: string;
  readonly enabled: boolean;
  readonly submenu: MenuDouble | undefined;

  constructor(private readonly template: MenuItemTemplate) {
    this.label = template.label ?? '';
    this.submenu = template.submenu ? new MenuDouble(template.submenu) : undefined;
    this.type = template.type ?? (this.submenu ? 'submenu' : 'normal');
    this.enabled = template.enabled ?? true;
  }

  /** The user clicks it; a disabled item cannot be clicked. */
  click(): void {
    if (!this.enabled) throw new Error(`menu item "${this.label}" is disabled`);
    this.template.click?.(this, undefined, {});
  }
}

/** What Menu.buildFromTemplate returns: the template's items, kept so a test can read and click them. */
export class MenuDouble {
  readonly items: MenuItemDouble[];

  constructor(template: readonly MenuItemTemplate[]) {
    this.items = template.map((item) => new MenuItemDouble(item));
  }

  /** The item at a path of labels, each matched whole (a string) or by pattern; throws with what is there. */
  item(...path: Array<string | RegExp>): MenuItemDouble {
    let items: readonly MenuItemDouble[] = this.items;
    let found: MenuItemDouble | undefined;
    for (const step of path) {
      found = items.find((entry) => (typeof step === 'string' ? entry.label === step : step.test(entry.label)));
      if (!found) throw new Error(`no menu item ${String(step)} among ${JSON.stringify(items.map((entry) => entry.label))}`);
      items = found.submenu?.items ?? [];
    }
    if (!found) throw new Error('an empty menu path');
    return found;
  }

  /** Labels, nested, for whole-menu assertions. */
  describe(): MenuSeen[] {
    return this.items.map((entry) => ({
      label: entry.label,
      type: entry.type,
      enabled: entry.enabled,
      ...(entry.submenu ? { submenu: entry.submenu.describe() } : {}),
    }));
  }
}

export interface MenuSeen {
  label: string;
  type: string;
  enabled: boolean;
  submenu?: MenuSeen[];
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Like nativeImage.createFromPath: an image that cannot be read or is not an image is empty, not an error. */
export class NativeImageDouble {
  private readonly empty: boolean;

  constructor(readonly path: string) {
    let head: Buffer;
    try {
      head = readFileSync(path).subarray(0, PNG_SIGNATURE.length);
    } catch {
      head = Buffer.alloc(0);
    }
    this.empty = !head.equals(PNG_SIGNATURE);
  }

  isEmpty(): boolean {
    return this.empty;
  }
}

export class TrayDouble extends EventEmitter {
  /** Every image set, the constructor's first. */
  readonly images: NativeImageDouble[] = [];
  tooltip: string | undefined;
  menu: MenuDouble | undefined;
  private destroyed = false;

  constructor(
    private readonly owner: ElectronDouble,
    image: NativeImageDouble,
  ) {
    super();
    if (!owner.app.isReady()) throw new Error('Cannot create Tray before app is ready');
    this.images.push(image);
    owner.trays.push(this);
    owner.changed();
  }

  get image(): NativeImageDouble {
    return this.images[this.images.length - 1] as NativeImageDouble;
  }

  setImage(image: NativeImageDouble): void {
    this.alive().images.push(image);
    this.owner.changed();
  }

  setToolTip(tooltip: string): void {
    this.alive().tooltip = tooltip;
    this.owner.changed();
  }

  setContextMenu(menu: MenuDouble | null): void {
    this.alive().menu = menu ?? undefined;
    this.owner.changed();
  }

  destroy(): void {
    this.destroyed = true;
    this.owner.changed();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  private alive(): this {
    if (this.destroyed) throw destroyedError();
    return this;
  }
}

export interface NotificationOptions {
  title?: string;
  body?: string;
  silent?: boolean;
}

export interface OpenDialogResult {
  canceled: boolean;
  filePaths: string[];
}

export class AppDouble extends EventEmitter {
  readonly isPackaged = false;
  private readonly paths = new Map<string, string>();
  private ready = false;
  private quitting = false;
  private readonly readyPromise: Promise<void>;
  private markReady: () => void = () => undefined;
  /** Second instances that knocked before `ready`: Electron emits 'second-instance' only after it. */
  private readonly pendingSecondInstances: string[][] = [];
  /** Set once the app has quit: the process would be gone. */
  exitCode: number | undefined;

  constructor(
    private readonly owner: ElectronDouble,
    private readonly name: string,
    private readonly version: string,
  ) {
    super();
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    // Electron's default on Linux; the shell moves it (app.setPath) before it takes the lock.
    this.paths.set('userData', join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), name));
  }

  getName(): string {
    return this.name;
  }

  getVersion(): string {
    return this.version;
  }

  getPath(name: string): string {
    const path = this.paths.get(name);
    if (path === undefined) throw new Error(`Failed to get '${name}' path`);
    return path;
  }

  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }

  isReady(): boolean {
    return this.ready;
  }

  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  /** Electron ties the lock to the userData folder: a second app on the same folder gets false, the first hears 'second-instance'. */
  requestSingleInstanceLock(): boolean {
    const key = this.getPath('userData');
    const holder = instanceLocks.get(key);
    if (holder && holder !== this.owner) {
      holder.app.secondInstance([process.execPath, '.']);
      return false;
    }
    instanceLocks.set(key, this.owner);
    return true;
  }

  hasSingleInstanceLock(): boolean {
    return instanceLocks.get(this.getPath('userData')) === this.owner;
  }

  releaseSingleInstanceLock(): void {
    for (const [key, holder] of instanceLocks) if (holder === this.owner) instanceLocks.delete(key);
  }

  /**
   * Electron's order: 'before-quit' (preventable), then every window is closed (a window whose
   * 'close' is prevented cancels the quit), then 'will-quit' (preventable), then 'quit' and exit.
   */
  quit(): void {
    if (this.exitCode !== undefined) return;
    const beforeQuit = new PreventableEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    this.quitting = true;
    for (const window of this.owner.openWindows()) {
      window.close();
      if (!window.isDestroyed()) {
        this.quitting = false;
        return;
      }
    }
    const willQuit = new PreventableEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) {
      this.quitting = false;
      return;
    }
    this.exit(0);
  }

  /** The process ends: 'quit' is the last thing anyone hears. */
  exit(code = 0): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    this.emit('quit', new PreventableEvent(), code);
    this.releaseSingleInstanceLock();
    this.owner.changed();
  }

  /** @internal the double's own: ready fired by the test. */
  fireReady(): void {
    if (this.ready) throw new Error('ready fires once');
    this.ready = true;
    this.emit('will-finish-launching');
    this.emit('ready', new PreventableEvent(), {});
    this.markReady();
    for (const argv of this.pendingSecondInstances.splice(0)) this.emitSecondInstance(argv);
  }

  /** @internal a window was destroyed: with none left (and not quitting), Electron says so, and quits if nobody listens. */
  lastWindowMaybeClosed(): void {
    if (this.quitting || this.owner.openWindows().length > 0) return;
    if (this.listenerCount('window-all-closed') > 0) this.emit('window-all-closed');
    else this.quit();
  }

  /** @internal another instance on our userData folder started and was refused the lock. */
  secondInstance(argv: string[]): void {
    if (this.ready) this.emitSecondInstance(argv);
    else this.pendingSecondInstances.push(argv);
  }

  private emitSecondInstance(argv: string[]): void {
    // Across processes in Electron: never in the second instance's own call stack.
    setImmediate(() => this.emit('second-instance', new PreventableEvent(), argv, process.cwd(), undefined));
  }
}

export class IpcMainDouble {
  readonly handlers = new Map<string, (event: IpcMainInvokeEventDouble, ...args: unknown[]) => unknown>();

  handle(channel: string, listener: (event: IpcMainInvokeEventDouble, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

/** What ipcMain handlers receive: who sent it (the webContents) and from which frame. */
export interface IpcMainInvokeEventDouble {
  type: 'frame';
  sender: WebContentsDouble;
  senderFrame: FrameDouble | null;
  frameId: number;
  processId: number;
}

/** The page side's ipcRenderer, bound to one frame of one webContents. */
export class IpcRendererDouble extends EventEmitter {
  /** Channels the page invoked, in order. */
  readonly invoked: string[] = [];

  constructor(
    private readonly owner: ElectronDouble,
    private readonly contents: WebContentsDouble,
    private readonly frame: FrameDouble,
  ) {
    super();
    if (frame === contents.mainFrame) contents.pages.add(this);
  }

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push(channel);
    const cloned = structuredClone(args);
    const handler = this.owner.ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    const event: IpcMainInvokeEventDouble = {
      type: 'frame',
      sender: this.contents,
      senderFrame: this.contents.isDestroyed() ? null : this.frame,
      frameId: this.frame.routingId,
      processId: 1,
    };
    let result: unknown;
    try {
      result = await handler(event, ...cloned);
    } catch (error) {
      // Electron passes only the message across (hence the contract's explicit error replies).
      throw new Error(`Error invoking remote method '${channel}': ${String(error)}`);
    }
    return structuredClone(result);
  }

  /** @internal webContents.send reaching this page. */
  deliver(channel: string, args: unknown[]): void {
    this.emit(channel, { sender: this, senderId: 0 }, ...args);
  }
}

/** Values crossing contextBridge: copied, functions proxied (their arguments and results copied too), prototypes dropped. */
function acrossBridge(value: unknown): unknown {
  if (typeof value === 'function') {
    const fn = value as (...args: unknown[]) => unknown;
    return (...args: unknown[]) => acrossBridge(fn(...args.map(acrossBridge)));
  }
  if (value instanceof Promise) return value.then(acrossBridge);
  if (Array.isArray(value)) return value.map(acrossBridge);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, acrossBridge(entry)]));
  }
  return value;
}

/** One preload's world: its `electron` module (contextBridge, ipcRenderer) and what it put on the page's window. */
export interface RendererDouble {
  module: {
    contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
    ipcRenderer: IpcRendererDouble;
  };
  /** What the page sees on `window`, as copied across the bridge. */
  mainWorld: Record<string, unknown>;
  ipcRenderer: IpcRendererDouble;
}

/** The classes and the session each app instance hands out, bound to it (getAllWindows is per app). */
function browserWindowClass(owner: ElectronDouble): ElectronDouble['BrowserWindow'] {
  return class extends BrowserWindowDouble {
    constructor(windowOptions: BrowserWindowOptions = {}) {
      super(owner, windowOptions);
    }
    static getAllWindows(): BrowserWindowDouble[] {
      return owner.openWindows();
    }
  };
}

function trayClass(owner: ElectronDouble): ElectronDouble['Tray'] {
  return class extends TrayDouble {
    constructor(image: NativeImageDouble) {
      super(owner, image);
    }
  };
}

function notificationClass(owner: ElectronDouble): ElectronDouble['Notification'] {
  return class {
    constructor(private readonly options: NotificationOptions) {}
    static isSupported(): boolean {
      return true;
    }
    show(): void {
      owner.notifications.push({ ...this.options });
      owner.changed();
    }
  };
}

function sessionOf(owner: ElectronDouble): ElectronDouble['session'] {
  const defaultSession = {
    setPermissionRequestHandler: (handler: PermissionRequestHandler) => {
      owner.permissionHandlers.request = handler;
    },
    setPermissionCheckHandler: (handler: PermissionCheckHandler) => {
      owner.permissionHandlers.check = handler;
    },
  };
  return {
    get defaultSession() {
      if (!owner.app.isReady()) throw new Error('Session can only be received when app is ready');
      return defaultSession;
    },
  };
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
type PermissionCheckHandler = (contents: unknown, permission: string) => boolean;

export class ElectronDouble {
  readonly app: AppDouble;
  readonly ipcMain = new IpcMainDouble();
  readonly powerMonitor = new EventEmitter();
  readonly windows: BrowserWindowDouble[] = [];
  readonly trays: TrayDouble[] = [];
  /** Notifications shown, in order. */
  readonly notifications: NotificationOptions[] = [];
  readonly dialogs: Array<{ kind: 'open' | 'error'; options: unknown }> = [];
  /** Answers the next open dialogs give, in order; a cancel when none is queued. */
  readonly dialogAnswers: OpenDialogResult[] = [];
  online = true;
  clipboardText = '';
  /** What the shell gave session.defaultSession for permission requests and checks. */
  readonly permissionHandlers: { request?: PermissionRequestHandler; check?: PermissionCheckHandler } = {};

  readonly BrowserWindow: { new (options?: BrowserWindowOptions): BrowserWindowDouble; getAllWindows(): BrowserWindowDouble[] };
  readonly Tray: new (image: NativeImageDouble) => TrayDouble;
  readonly Notification: { new (options: NotificationOptions): { show(): void }; isSupported(): boolean };
  readonly Menu = { buildFromTemplate: (template: MenuItemTemplate[]) => new MenuDouble(template) };
  readonly nativeImage = { createFromPath: (path: string) => new NativeImageDouble(path) };
  readonly net = { isOnline: () => this.online };
  readonly clipboard = {
    readText: () => this.clipboardText,
    writeText: (text: string) => {
      this.clipboardText = text;
    },
  };
  readonly dialog = {
    showOpenDialog: (...args: unknown[]): Promise<OpenDialogResult> => {
      this.dialogs.push({ kind: 'open', options: args[args.length - 1] });
      this.changed();
      return Promise.resolve(this.dialogAnswers.shift() ?? { canceled: true, filePaths: [] });
    },
    showErrorBox: (title: string, content: string): void => {
      this.dialogs.push({ kind: 'error', options: { title, content } });
      this.changed();
    },
  };
  readonly session: {
    readonly defaultSession: { setPermissionRequestHandler(handler: PermissionRequestHandler): void; setPermissionCheckHandler(handler: PermissionCheckHandler): void };
  };

  private readonly waiters = new EventWaiters();

  constructor(options: { name?: string; version?: string } = {}) {
    this.app = new AppDouble(this, options.name ?? 'Jumpgate', options.version ?? '0.0.0-double');
    this.BrowserWindow = browserWindowClass(this);
    this.Tray = trayClass(this);
    this.Notification = notificationClass(this);
    this.session = sessionOf(this);
  }

  /** The module object `require('electron')` gives the main process. */
  get mainModule(): Record<string, unknown> {
    return {
      app: this.app,
      BrowserWindow: this.BrowserWindow,
      Tray: this.Tray,
      Menu: this.Menu,
      nativeImage: this.nativeImage,
      ipcMain: this.ipcMain,
      Notification: this.Notification,
      powerMonitor: this.powerMonitor,
      net: this.net,
      clipboard: this.clipboard,
      session: this.session,
      dialog: this.dialog,
    };
  }

  /**
   * The page side for a preload running in `frame` of `contents` (its main frame unless a test
   * wants an iframe or a frame showing another page): `module` is what `require('electron')`
   * gives that preload; `mainWorld` is the page's window as the bridge left it.
   */
  renderer(contents: WebContentsDouble, frame: FrameDouble = contents.mainFrame): RendererDouble {
    const ipcRenderer = new IpcRendererDouble(this, contents, frame);
    const mainWorld: Record<string, unknown> = {};
    const contextBridge = {
      exposeInMainWorld: (key: string, api: unknown) => {
        if (contents.webPreferences.contextIsolation === false) throw new Error('contextBridge API can only be used when contextIsolation is enabled');
        if (key in mainWorld) throw new Error('Cannot bind an API on top of an existing property on the window object');
        mainWorld[key] = acrossBridge(api);
      },
    };
    return { module: { contextBridge, ipcRenderer }, mainWorld, ipcRenderer };
  }

  /** Fire app 'ready' (and resolve whenReady): Electron does this once it has started. */
  ready(): void {
    this.app.fireReady();
  }

  openWindows(): BrowserWindowDouble[] {
    return this.windows.filter((window) => !window.isDestroyed());
  }

  /** Resolve with the first defined value `read` returns, read again after everything the double records. */
  until<T>(read: () => T | undefined, what: string, timeoutMs?: number): Promise<T> {
    return this.waiters.until(read, what, timeoutMs);
  }

  /** @internal something was recorded: wake the waiters. */
  changed(): void {
    this.waiters.notify();
  }

  /** @internal */
  windowDestroyed(): void {
    this.changed();
    this.app.lastWindowMaybeClosed();
  }
}
