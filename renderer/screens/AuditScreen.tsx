import { useId, useState } from 'react';
import { AUDIT_KINDS, type AuditKind } from '../../shared/model/audit';
import { ErrorNote } from '../components/ErrorNote';
import { useStores } from '../storesContext';
import { TableHead } from '../components/TableHead';

/** Each kind as the table names it; a new kind in the model fails to compile until it has a name here. */
const AUDIT_KIND_LABELS: Record<AuditKind, string> = {
  'tunnel-opened': 'Tunnel opened',
  'tunnel-closed': 'Tunnel closed',
  'tunnel-idle-closed': 'Tunnel closed when idle',
  'password-revealed': 'Password revealed',
  'password-copied': 'Password copied',
  'password-used': 'Password used by a command',
  'connection-string-copied': 'Connection string copied',
  'ip-allowed': 'IP allowed',
  'ip-removed': 'IP rule removed',
  'snapshot-restored': 'Snapshot restored',
  'restored-deleted': 'Restored copy deleted',
  'shell-opened': 'Shell opened',
  'shell-closed': 'Shell closed',
  'key-generated': 'Key generated',
  'host-key-trusted': 'Host key trusted',
  'host-key-forgotten': 'Host key forgotten',
  'team-followed': 'Team profiles followed',
  'team-published': 'Team profiles published',
};

/**
 * The local audit log (issue #6): who opened which tunnel when, password
 * fetches and copies, IP rule changes, restores and shells, newest first.
 * It never holds a secret: the service writes names, ports, IPs and ids only.
 */
export function AuditScreen() {
  const { useAudit } = useStores();
  const { entries, read } = useAudit();
  const { pending: loading, error } = read;
  // Read at least once: live entries alone are not the whole log.
  const loaded = read.value !== undefined;
  const [kind, setKind] = useState<AuditKind | ''>('');
  const [text, setText] = useState('');
  const kindId = useId();
  const textId = useId();
  const needle = text.trim().toLowerCase();
  const shown = entries.filter(
    (entry) =>
      (kind === '' || entry.kind === kind) &&
      (needle === '' || [entry.detail, entry.user, AUDIT_KIND_LABELS[entry.kind]].some((field) => field.toLowerCase().includes(needle))),
  );

  return (
    <section aria-labelledby="audit-title" className="tool-page">
      <h2 id="audit-title">Audit log</h2>
      <p className="muted">
        What was done with production access from this computer: tunnels opened and closed, passwords revealed and copied, IP rules changed, restores and shells.
        It records what happened, never a password or key.
      </p>
      <div className="toolbar">
        <div className="field narrow">
          <label htmlFor={kindId}>Kind</label>
          <select id={kindId} value={kind} onChange={(event) => setKind(event.target.value as AuditKind | '')}>
            <option value="">All kinds</option>
            {AUDIT_KINDS.map((entry) => (
              <option key={entry} value={entry}>
                {AUDIT_KIND_LABELS[entry]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={textId}>Search</label>
          <input id={textId} type="search" value={text} placeholder="Profile, target, IP, user…" onChange={(event) => setText(event.target.value)} />
        </div>
        <button className="secondary" onClick={() => void useAudit.getState().load()} disabled={loading}>
          Refresh
        </button>
      </div>
      {error ? <ErrorNote error={error} /> : null}
      <p className="muted" role="status">
        {loading ? 'Reading the audit log…' : loaded || entries.length > 0 ? countLine(shown.length, entries.length) : ''}
      </p>
      {entries.length === 0 && loaded && !loading ? (
        <p>Nothing recorded yet. Opening a tunnel, copying a password or changing an IP rule leaves a line here.</p>
      ) : null}
      {shown.length > 0 ? (
        <table className="audit">
          <caption className="visually-hidden">Audit log entries, newest first</caption>
          <TableHead columns={['Time', 'User', 'Kind', 'Detail']} />
          <tbody>
            {shown.map((entry, index) => (
              <tr key={`${entry.at}-${index}-${entry.kind}`}>
                <td className="audit-time">
                  <time dateTime={new Date(entry.at).toISOString()}>{new Date(entry.at).toLocaleString()}</time>
                </td>
                <td>{entry.user}</td>
                <td>
                  <span className={`audit-kind audit-${entry.kind}`}>{AUDIT_KIND_LABELS[entry.kind]}</span>
                </td>
                <td className="audit-detail">{entry.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function countLine(shown: number, total: number): string {
  const entries = total === 1 ? '1 entry' : `${total} entries`;
  return shown === total ? `${entries}, newest first.` : `${shown} of ${entries} match.`;
}
