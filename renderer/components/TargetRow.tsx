import type { DbTarget } from '../../shared/model/profile';
import type { TunnelState } from '../../shared/model/tunnelState';

function bytes(count: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = count;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function describe(state: TunnelState, now: number): string {
  switch (state.status) {
    case 'open':
      return `open for ${Math.max(0, Math.round((now - state.openedAt) / 1000))} s · in ${bytes(state.bytesIn)} · out ${bytes(state.bytesOut)} · ${state.activeConnections} client(s)`;
    case 'reconnecting':
      return `reconnecting (attempt ${state.attempt}, next in ${Math.max(0, Math.round((state.nextRetryAt - now) / 1000))} s): ${state.lastError.message}`;
    case 'failed':
      return `failed: ${state.error.message}`;
    case 'connecting':
      return 'connecting…';
    default:
      return state.status;
  }
}

const LIVE = new Set(['open', 'connecting', 'reconnecting']);

export function TargetRow({
  target,
  state,
  now,
  busy,
  onConnect,
  onDisconnect,
  onCopyPassword,
}: {
  target: DbTarget;
  state: TunnelState;
  now: number;
  busy: boolean;
  onConnect: () => void;
  onDisconnect: () => void;
  onCopyPassword: () => void;
}) {
  const remote = target.remote.kind === 'host' ? `${target.remote.host}:${target.remote.port}` : `RDS ${target.remote.identifier}`;
  const live = LIVE.has(state.status);
  return (
    <tr aria-label={`Target ${target.name}`}>
      <th scope="row">
        {target.name}
        <small>{target.engine}</small>
      </th>
      <td>
        <code>127.0.0.1:{target.localPort}</code> → {remote}
      </td>
      <td>
        <span className={`status status-${state.status}`} aria-label={`Status of ${target.name}`}>
          {describe(state, now)}
        </span>
      </td>
      <td className="actions">
        {live ? (
          <button onClick={onDisconnect} disabled={busy}>
            Disconnect {target.name}
          </button>
        ) : (
          <button onClick={onConnect} disabled={busy}>
            Connect {target.name}
          </button>
        )}
        {target.secret.kind !== 'none' ? (
          <button className="secondary" onClick={onCopyPassword}>
            Copy password for {target.name}
          </button>
        ) : null}
      </td>
    </tr>
  );
}
