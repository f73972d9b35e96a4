import type { JumpgateError } from '../../shared/model/errors';
import type { AuditLog } from './audit/auditLog';
import type { AwsEnvironment } from './aws/awsClients';
import type { ProfileAws } from './aws/profileAws';
import type { PollOptions } from './aws/snapshots';
import type { EventBus } from './events/eventBus';
import type { ProfileStore } from './profiles/profileStore';
import type { Clipboard, ClipboardGuard, Scheduler } from './secrets/clipboardGuard';
import type { SettingsStore } from './settings/settingsStore';
import type { Keychain } from './secrets/keychain';
import type { PassphraseCache } from './secrets/passphraseCache';
import type { ShellSessions } from './shell/shellSessions';
import type { JumpHostPool, JumpHostPoolOptions } from './ssh/jumpHostPool';
import type { KnownHostsStore } from './ssh/knownHosts';
import type { TeamSources } from './team/teamSources';
import type { TunnelControl } from './tunnels/tunnelControl';

/** Everything the service needs from its host (Electron main, the web host, the CLI, a test). */
export interface JumpgateDeps {
  /** Where profiles.json and known_hosts live (Electron: app.getPath('userData')). */
  dataDir: string;
  version: string;
  /** The OS keychain, for passphrases the user asked Jumpgate to remember. */
  keychain?: Keychain;
  /** ~/.ssh/config by default. */
  sshConfigPath?: string;
  /** How AWS is reached: nothing in the app (the AWS CLI's conventions apply); moto's endpoint and test keys in tests. */
  aws?: AwsEnvironment;
  /** Where copied passwords go: Electron's clipboard in the app, the OS one in the CLI, a double in tests. */
  clipboard?: Clipboard;
  /** Clock for the clipboard auto-clear and idle auto-close (the real one unless a test moves it). */
  scheduler?: Scheduler;
  /** Where "my public IP" comes from (default https://checkip.amazonaws.com; tests use a local server). */
  publicIpUrl?: string;
  /** Restore polling (interval, sleep, clock): injected in tests so nothing waits. */
  restorePolling?: Omit<PollOptions, 'signal'>;
  /** Engine tuning for tests and benchmarks; the app uses the defaults. */
  pool?: Partial<Omit<JumpHostPoolOptions, 'knownHosts' | 'passphraseFor'>>;
  now?: () => number;
  /**
   * The system's open-file dialog, in the desktop app (Electron's dialog.showOpenDialog): the
   * chosen file's path, or undefined when cancelled. Absent in the browser mode and the CLI.
   */
  pickKeyFile?: (startIn: string | undefined) => Promise<string | undefined>;
}

/**
 * The one small object every domain's handler set is built from: the host's
 * dependencies and the long-lived owners (one per resource kind). Handler sets
 * take what they need from here and never import each other or the service.
 */
export interface ServiceContext {
  deps: JumpgateDeps;
  bus: EventBus;
  profiles: ProfileStore;
  /** What loading the profiles found wrong (a damaged file kept aside), shown with every list. */
  profilesProblem: JumpgateError | undefined;
  knownHosts: KnownHostsStore;
  knownHostsPath: string;
  passphrases: PassphraseCache;
  pool: JumpHostPool;
  tunnels: TunnelControl;
  aws: ProfileAws;
  audit: AuditLog;
  /** Absent where there is no clipboard (a CLI without a display). */
  clipboard: ClipboardGuard | undefined;
  shells: ShellSessions;
  settings: SettingsStore;
  /** Team profiles published in AWS and followed (issue #16). */
  team: TeamSources;
}
