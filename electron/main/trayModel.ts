import { aggregateStatus, type AggregateStatus } from '../../shared/model/aggregate';
import type { Profile } from '../../shared/model/profile';
import { isLive, type TunnelSnapshotEntry, type TunnelState } from '../../shared/model/tunnelState';

/**
 * What the tray shows, computed without Electron so it is unit-tested: the icon,
 * the tooltip, the menu (as plain specs Electron's Menu.buildFromTemplate takes)
 * and the notifications worth raising.
 */

export interface MenuItemSpec {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu';
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export interface TrayActions {
  connect(profileId: string, targetId: string): void;
  disconnect(profileId: string, targetId: string): void;
  connectProfile(profileId: string): void;
  /** Fetch the target's current password and put it on the clipboard (auto-cleared). */
  copyPassword(profileId: string, targetId: string): void;
  disconnectProfile(profileId: string): void;
  openWindow(): void;
  quit(): void;
}

const ICONS: Record<AggregateStatus, string> = {
  none: 'tray-idle',
  partial: 'tray-open',
  open: 'tray-open',
  reconnecting: 'tray-reconnecting',
  failed: 'tray-failed',
};

/** Tunnels the user has asked for: stopped and never-started ones do not colour the tray. */
function inUse(tunnels: readonly TunnelSnapshotEntry[]): TunnelSnapshotEntry[] {
  return tunnels.filter((entry) => entry.state.status !== 'stopped' && entry.state.status !== 'idle');
}

export function trayIconName(tunnels: readonly TunnelSnapshotEntry[]): string {
  return ICONS[aggregateStatus(inUse(tunnels).map((entry) => entry.state))];
}

export function trayTooltip(tunnels: readonly TunnelSnapshotEntry[]): string {
  const live = inUse(tunnels);
  const open = live.filter((entry) => entry.state.status === 'open').length;
  const status = aggregateStatus(live.map((entry) => entry.state));
  if (status === 'none') return 'Jumpgate: no tunnels open';
  const trouble = live.filter((entry) => entry.state.status === 'reconnecting' || entry.state.status === 'failed');
  const detail = trouble.length > 0 ? `; ${trouble.map((entry) => `${entry.id} ${entry.state.status}`).join(', ')}` : '';
  return `Jumpgate: ${open} of ${live.length} tunnels open${detail}`;
}

function stateOf(tunnels: readonly TunnelSnapshotEntry[], id: string): TunnelState {
  return tunnels.find((entry) => entry.id === id)?.state ?? { status: 'idle' };
}


export function trayMenu(profiles: readonly Profile[], tunnels: readonly TunnelSnapshotEntry[], actions: TrayActions): MenuItemSpec[] {
  const profileItems = profiles.map((profile): MenuItemSpec => {
    const states = profile.targets.map((target) => stateOf(tunnels, `${profile.id}/${target.id}`));
    const anyLive = states.some(isLive);
    return {
      label: `${profile.name} (${aggregateStatus(states)})`,
      type: 'submenu',
      submenu: [
        anyLive
          ? { label: 'Disconnect all', click: () => actions.disconnectProfile(profile.id) }
          : { label: 'Connect all', click: () => actions.connectProfile(profile.id), enabled: profile.targets.length > 0 },
        { type: 'separator' },
        ...profile.targets.flatMap((target, index): MenuItemSpec[] => {
          const state = states[index] as TunnelState;
          const live = isLive(state);
          const item: MenuItemSpec = {
            label: `${live ? 'Disconnect' : 'Connect'} ${target.name}: 127.0.0.1:${target.localPort} (${state.status})`,
            click: () => (live ? actions.disconnect(profile.id, target.id) : actions.connect(profile.id, target.id)),
          };
          // Only targets with a secret source have a password Jumpgate can fetch.
          return target.secret.kind === 'none'
            ? [item]
            : [item, { label: `Copy password for ${target.name}`, click: () => actions.copyPassword(profile.id, target.id) }];
        }),
      ],
    };
  });
  return [
    ...(profileItems.length > 0 ? profileItems : [{ label: 'No profiles yet', enabled: false }]),
    { type: 'separator' },
    { label: 'Open Jumpgate', click: actions.openWindow },
    { label: 'Quit (closes all tunnels)', click: actions.quit },
  ];
}

/** A native notification when a tunnel drops or comes back; nothing for routine changes. */
export function transitionNotice(previous: TunnelState | undefined, next: TunnelState, name: string): { title: string; body: string } | undefined {
  if (next.status === 'reconnecting' && previous?.status === 'open') {
    return { title: `${name} dropped`, body: `${next.lastError.message} Reconnecting; 127.0.0.1:${next.localPort} stays reserved.` };
  }
  if (next.status === 'open' && previous?.status === 'reconnecting') {
    return { title: `${name} is back`, body: `Open again on 127.0.0.1:${next.localPort}.` };
  }
  if (next.status === 'failed' && previous && previous.status !== 'failed' && previous.status !== 'connecting') {
    return { title: `${name} failed`, body: next.error.hint ? `${next.error.message} ${next.error.hint}` : next.error.message };
  }
  return undefined;
}
