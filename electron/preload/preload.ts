import { contextBridge } from 'electron';

/**
 * The page's only door to main. It exposes named contract calls, never
 * ipcRenderer itself; the contract's channels are added here as they land.
 */
contextBridge.exposeInMainWorld('jumpgate', Object.freeze({ runtime: 'electron' as const }));
