import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The app's name as Electron derives its userData folder from it (package.json productName). */
export const APP_NAME = 'Jumpgate';

/**
 * Where profiles.json and known_hosts live: the folder Electron calls userData,
 * computed the same way here so the CLI and the web host share the app's files.
 * JUMPGATE_DATA_DIR overrides it (tests, portable installs).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.JUMPGATE_DATA_DIR) return env.JUMPGATE_DATA_DIR;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_NAME);
}

/**
 * Where Jumpgate keeps what it can always make again (the CLI's compiled code): the platform's
 * per-user cache folder, never the data folder's backups or a shared temp folder. With
 * JUMPGATE_DATA_DIR (tests, portable installs) it sits inside that folder, so one install keeps
 * everything in one place.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.JUMPGATE_DATA_DIR) return join(env.JUMPGATE_DATA_DIR, 'cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', APP_NAME);
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), APP_NAME, 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(home, '.cache'), APP_NAME);
}

/** Who runs Jumpgate (for the audit log and a new key's comment); the environment's word when the OS has no passwd entry. */
export function osUserName(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}
