import { join } from 'node:path';
import { Menu, nativeImage, Notification, Tray } from 'electron';
import type { Profile } from '../../shared/model/profile';
import type { TunnelSnapshotEntry } from '../../shared/model/tunnelState';
import { transitionNotice, trayIconName, trayMenu, trayTooltip, type TrayActions } from './trayModel';

/**
 * The tray icon that keeps tunnels alive while the window is closed: its icon
 * and tooltip show the aggregate state, its menu connects and disconnects, and
 * a notification says when a tunnel drops or comes back.
 */
export class JumpgateTray {
  private readonly tray: Tray;
  private profiles: Profile[] = [];
  private tunnels: TunnelSnapshotEntry[] = [];

  constructor(
    private readonly iconDir: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(this.icon('tray-idle'));
    this.tray.on('click', () => actions.openWindow());
    this.render();
  }

  setProfiles(profiles: Profile[]): void {
    this.profiles = profiles;
    this.render();
  }

  setTunnels(tunnels: TunnelSnapshotEntry[]): void {
    this.tunnels = tunnels;
    this.render();
  }

  /** Apply one state event (its whole entry; a tunnel not seen before is added); notify on drops and recoveries. Renders once. */
  onTunnelState(entry: TunnelSnapshotEntry): void {
    const index = this.tunnels.findIndex((known) => known.id === entry.id);
    const previous = index === -1 ? undefined : this.tunnels[index];
    if (previous) {
      const notice = transitionNotice(previous.state, entry.state, entry.id);
      if (notice && Notification.isSupported()) new Notification({ title: notice.title, body: notice.body, silent: true }).show();
      this.tunnels[index] = entry;
    } else {
      this.tunnels.push(entry);
    }
    this.render();
  }

  destroy(): void {
    this.tray.destroy();
  }

  private icon(name: string): Electron.NativeImage {
    return nativeImage.createFromPath(join(this.iconDir, `${name}.png`));
  }

  private render(): void {
    this.tray.setImage(this.icon(trayIconName(this.tunnels)));
    this.tray.setToolTip(trayTooltip(this.tunnels));
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenu(this.profiles, this.tunnels, this.actions)));
  }
}
