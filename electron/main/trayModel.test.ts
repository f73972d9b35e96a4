import { describe, expect, it } from 'vitest';
import type { TunnelSnapshotEntry, TunnelState } from '../../shared/model/tunnelState';
import { exampleProfile } from '../core/profiles/exampleProfile';
import { transitionNotice, trayIconName, trayMenu, trayTooltip, type MenuItemSpec } from './trayModel';

const counters = { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 };
const open = (localPort: number): TunnelState => ({ status: 'open', localPort, openedAt: 1, ...counters });
const reconnecting = (localPort: number): TunnelState => ({
  status: 'reconnecting',
  localPort,
  attempt: 2,
  nextRetryAt: 5,
  lastError: { code: 'JUMP_HOST_LOST', message: 'The jump box stopped answering.' },
  ...counters,
});
function entry(id: string, state: TunnelState): TunnelSnapshotEntry {
  return { id, endpoint: { localHost: '127.0.0.1', localPort: 13306, remoteHost: 'db', remotePort: 3306, jumpHost: 'u@h:22' }, state };
}

describe('tray model', () => {
  it('picks the icon and tooltip from the worst state', () => {
    expect(trayIconName([])).toBe('tray-idle');
    expect(trayTooltip([])).toBe('Jumpgate: no tunnels open');
    const mixed = [entry('p/mysql', open(13306)), entry('p/postgres', reconnecting(15432))];
    expect(trayIconName(mixed)).toBe('tray-reconnecting');
    expect(trayTooltip(mixed)).toBe('Jumpgate: 1 of 2 tunnels open; p/postgres reconnecting');
    expect(trayIconName([entry('p/mysql', open(13306))])).toBe('tray-open');
    expect(trayIconName([entry('p/mysql', { status: 'failed', failedAt: 1, error: { code: 'AUTH_FAILED', message: 'x' } })])).toBe('tray-failed');
  });

  it('offers connect or disconnect per target and per profile, and wires the clicks', () => {
    const profile = exampleProfile();
    const clicks: string[] = [];
    const menu = trayMenu([profile], [entry(`${profile.id}/mysql`, open(13306))], {
      connect: (p, t) => clicks.push(`connect ${p}/${t}`),
      disconnect: (p, t) => clicks.push(`disconnect ${p}/${t}`),
      connectProfile: (p) => clicks.push(`connect ${p}`),
      copyPassword: (p, t) => clicks.push(`copy ${p}/${t}`),
      disconnectProfile: (p) => clicks.push(`disconnect ${p}`),
      openWindow: () => clicks.push('open'),
      quit: () => clicks.push('quit'),
    });
    const submenu = menu[0]?.submenu as MenuItemSpec[];
    expect(menu[0]?.label).toBe('Example: production (edit me) (partial)');
    expect(submenu.map((item) => item.label)).toEqual([
      'Disconnect all',
      undefined,
      'Disconnect MySQL (RDS): 127.0.0.1:13306 (open)',
      'Copy password for MySQL (RDS)',
      'Connect PostgreSQL (RDS): 127.0.0.1:15432 (idle)',
      'Copy password for PostgreSQL (RDS)',
    ]);
    for (const item of [...submenu, ...menu.slice(1)]) item.click?.();
    expect(clicks).toEqual([
      'disconnect example-production',
      'disconnect example-production/mysql',
      'copy example-production/mysql',
      'connect example-production/postgres',
      'copy example-production/postgres',
      'open',
      'quit',
    ]);
  });

  it('notifies on drop and recovery, not on routine changes', () => {
    expect(transitionNotice(open(13306), reconnecting(13306), 'p/mysql')).toEqual({
      title: 'p/mysql dropped',
      body: 'The jump box stopped answering. Reconnecting; 127.0.0.1:13306 stays reserved.',
    });
    expect(transitionNotice(reconnecting(13306), open(13306), 'p/mysql')?.title).toBe('p/mysql is back');
    expect(transitionNotice(open(13306), open(13306), 'p/mysql')).toBeUndefined();
    expect(transitionNotice({ status: 'connecting', localPort: 1, since: 0 }, open(13306), 'p/mysql')).toBeUndefined();
  });
});
