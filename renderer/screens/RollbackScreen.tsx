import { useState } from 'react';
import type { ErrorInfo } from '../../shared/model/errors';
import type { DbTarget, Profile } from '../../shared/model/profile';
import { proposedRestoreName, rdsIdentifierProblem } from '../awsTargets';
import { ErrorNote } from '../components/ErrorNote';
import { FormField } from '../components/FormField';
import { describeRemote, describeState } from '../format';
import { useNow } from '../hooks/useNow';
import { jobKey } from '../stores/connect';
import { snapshotsKey, type RestoreJob, type Snapshot } from '../stores/rollback';
import { useStores } from '../storesContext';
import { isLive } from '../../shared/model/tunnelState';
import { TableHead } from '../components/TableHead';


/** "42 s", "3 min 5 s": how long a restore has run, on the service's clock. */
function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
}

/** When a snapshot was taken, the same for everyone reading a shared screenshot: UTC to the minute. */
function takenAt(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'being taken';
}

/**
 * How far a restore is, for the bar. RDS says nothing about percent: requested
 * is a start, each status read while it is creating moves the bar on (less and
 * less: restores take minutes to hours), available is the end.
 */
function restorePercent(job: Pick<RestoreJob, 'phase' | 'polls'>): number {
  switch (job.phase) {
    case 'starting':
      return 2;
    case 'requested':
      return 10;
    case 'creating':
      return Math.round(10 + 80 * (1 - 0.85 ** job.polls));
    case 'available':
    case 'deleting':
    case 'deleted':
      return 100;
    case 'failed':
      return 0;
  }
}

function phaseText(job: RestoreJob): string {
  switch (job.phase) {
    case 'starting':
      return `Asking RDS to restore ${job.snapshotIdentifier ?? 'the snapshot'}…`;
    case 'requested':
      // RDS (and moto) may already answer "available" to the request itself: only a status that says more than that is shown.
      return `Requested: RDS is creating ${job.identifier}${job.status && job.status !== 'available' ? ` (status ${job.status})` : ''}.`;
    case 'creating':
      return `Creating ${job.identifier}: status ${job.status} after ${duration(job.elapsedMs)} (check ${job.polls}).`;
    case 'available':
      return job.createdAt ? `Available: restored ${takenAt(job.createdAt)}.` : `Available after ${duration(job.elapsedMs)}.`;
    case 'failed':
      return 'The restore did not finish.';
    case 'deleting':
      return `Deleting ${job.identifier}…`;
    case 'deleted':
      return `${job.identifier} was deleted.`;
  }
}

/** Codes about the user's whole AWS setup, not the request that met them: one cause, whatever each message names. */
const SETUP_CODES = new Set<ErrorInfo['code']>(['AWS_UNREACHABLE', 'AWS_CREDENTIALS_MISSING', 'AWS_CREDENTIALS_EXPIRED', 'AWS_CREDENTIALS_INVALID']);

/** Two failures with one cause, which the screen says once. */
function sameError(a: ErrorInfo, b: ErrorInfo | undefined): boolean {
  return b !== undefined && a.code === b.code && (SETUP_CODES.has(a.code) || a.message === b.message);
}

/**
 * Issue #6: a target's snapshots, restored to a NEW database the user names
 * (production is untouched), with progress from the service's events; then
 * one click to tunnel to the copy, and its deletion only after its name is
 * typed exactly.
 */
export function RollbackScreen({ profile }: { profile: Profile }) {
  // Keyed by profile: what is typed or picked here never carries over to another profile.
  return <RollbackPanel key={profile.id} profile={profile} />;
}

function RollbackPanel({ profile }: { profile: Profile }) {
  const { useRollback } = useStores();
  const chosen = useRollback((state) => state.selected[profile.id]);
  const snapshotLists = useRollback((state) => state.snapshots);
  const restores = useRollback((state) => state.restores);
  const found = useRollback((state) => state.found[profile.id]);
  const { select, listSnapshots, restore } = useRollback.getState();
  const [restoring, setRestoring] = useState<Snapshot | undefined>();
  const target = profile.targets.find((entry) => entry.id === chosen) ?? profile.targets.find((entry) => entry.remote.kind === 'rds') ?? profile.targets[0];
  const jobs = Object.values(restores).filter((job) => job.profileId === profile.id && job.phase !== 'deleted');

  if (!target) {
    return (
      <section aria-labelledby="rollback-title" className="aws-screen">
        <h3 id="rollback-title">Roll back with a snapshot</h3>
        <p>This profile has no targets yet. Snapshots are listed for a target&apos;s RDS database: add one from the Endpoints tab first.</p>
      </section>
    );
  }
  const ref = { profileId: profile.id, targetId: target.id };
  const snapshots = snapshotLists[snapshotsKey(ref)];

  return (
    <section aria-labelledby="rollback-title" className="aws-screen">
      <h3 id="rollback-title">Roll back with a snapshot</h3>
      <p className="notice promise">
        <strong>Restoring creates a new database; production is untouched.</strong> Look at the old data through the copy&apos;s own tunnel, then
        delete the copy.
      </p>
      <form
        className="toolbar"
        aria-label="Find snapshots"
        onSubmit={(event) => {
          event.preventDefault();
          setRestoring(undefined);
          void listSnapshots(ref);
        }}
      >
        <FormField label="Database target">
          {(props) => (
            <select
              {...props}
              value={target.id}
              onChange={(event) => {
                setRestoring(undefined);
                select(profile.id, event.target.value);
              }}
            >
              {profile.targets.map((entry) => (
                <option key={entry.id} value={entry.id}>
                  {entry.name} ({describeRemote(entry)})
                </option>
              ))}
            </select>
          )}
        </FormField>
        <button type="submit" disabled={snapshots?.pending} aria-busy={snapshots?.pending}>
          List snapshots
        </button>
      </form>
      {snapshots?.error ? <ErrorNote error={snapshots.error} /> : null}
      {snapshots?.value && !snapshots.pending ? <SnapshotTable target={target} list={snapshots.value} onRestore={setRestoring} /> : null}
      {restoring ? (
        <RestoreForm
          key={restoring.identifier}
          snapshot={restoring}
          taken={new Set([...Object.values(restores).map((job) => job.identifier), ...profile.targets.flatMap((entry) => (entry.remote.kind === 'rds' ? [entry.remote.identifier] : []))])}
          onCancel={() => setRestoring(undefined)}
          onRestore={(newIdentifier) => {
            setRestoring(undefined);
            void restore(ref, restoring, newIdentifier);
          }}
        />
      ) : null}
      <div className="toolbar">
        <button className="secondary" onClick={() => void useRollback.getState().findCopies(profile)}>
          Find restored copies
        </button>
        {found && 'count' in found ? (
          <p role="status" aria-label="Restored copies found">
            {found.count === 0 ? `No copies restored by Jumpgate in ${profile.aws.region}.` : `${found.count} ${found.count === 1 ? 'copy' : 'copies'} restored by Jumpgate in ${profile.aws.region}.`}
          </p>
        ) : null}
      </div>
      {found && 'error' in found ? (
        sameError(found.error, snapshots?.error) ? (
          // One cause (no credentials, AWS unreachable) fails both lookups: said once, above.
          <p role="status" aria-label="Restored copies found">
            Could not look for restored copies: the same problem as above ({found.error.code}).
          </p>
        ) : (
          <ErrorNote error={found.error} />
        )
      ) : null}
      {jobs.map((job) => (
        <RestoreCard key={job.identifier} job={job} profile={profile} />
      ))}
    </section>
  );
}

function SnapshotTable({ target, list, onRestore }: { target: DbTarget; list: Snapshot[]; onRestore: (snapshot: Snapshot) => void }) {
  if (list.length === 0) return <p role="status">There are no snapshots of {target.name} yet.</p>;
  return (
    <table className="snapshots" aria-label={`Snapshots of ${target.name}, newest first`}>
      <TableHead columns={['Snapshot', 'Taken', 'Type', 'Size', 'Status']} actions />
      <tbody>
        {list.map((snapshot) => (
          <tr key={`${snapshot.kind}:${snapshot.identifier}`} aria-label={`Snapshot ${snapshot.identifier}`}>
            <th scope="row">
              {snapshot.identifier}
              <small>
                {snapshot.kind === 'cluster' ? 'cluster' : 'instance'} {snapshot.sourceIdentifier} · {snapshot.engine}
                {snapshot.engineVersion ? ` ${snapshot.engineVersion}` : ''}
                {snapshot.encrypted ? ' · encrypted' : ''}
              </small>
            </th>
            <td>{takenAt(snapshot.createdAt)}</td>
            <td>{snapshot.type ?? '—'}</td>
            <td>{snapshot.sizeGiB !== undefined ? `${snapshot.sizeGiB} GiB` : '—'}</td>
            <td>{snapshot.status}</td>
            <td>
              <button className="secondary" aria-label={`Restore ${snapshot.identifier} to a new database`} disabled={snapshot.status !== 'available'} onClick={() => onRestore(snapshot)}>
                Restore…
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RestoreForm({ snapshot, taken, onRestore, onCancel }: { snapshot: Snapshot; taken: ReadonlySet<string>; onRestore: (identifier: string) => void; onCancel: () => void }) {
  // Filled in, so one click restores; the user may type another.
  const [name, setName] = useState(() => proposedRestoreName(snapshot, taken));
  const [tried, setTried] = useState(false);
  const problem = rdsIdentifierProblem(name.trim(), snapshot.sourceIdentifier);
  return (
    <form
      className="panel-box restore-form"
      aria-label={`Restore ${snapshot.identifier}`}
      onSubmit={(event) => {
        event.preventDefault();
        setTried(true);
        if (!problem) onRestore(name.trim());
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <h4>Restore {snapshot.identifier}</h4>
      <p>
        <strong>This creates a new database; production is untouched.</strong> {snapshot.sourceIdentifier} keeps running as it is. The copy gets its
        network and settings, is never public, and costs money until you delete it.
      </p>
      <FormField
        label="Name of the new database"
        error={tried || name !== '' ? problem : undefined}
        help="Letters, digits and hyphens, starting with a letter: RDS's own rule. It must not exist yet."
      >
        {(props) => <input {...props} autoFocus value={name} maxLength={63} onChange={(event) => setName(event.target.value)} />}
      </FormField>
      <div className="actions">
        <button type="submit" disabled={problem !== undefined}>
          Restore to a new database
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One restored copy: its progress, then its tunnel and its deletion. */
function RestoreCard({ job, profile }: { job: RestoreJob; profile: Profile }) {
  const { useRollback } = useStores();
  const tunnelTarget = profile.targets.find((target) => target.id === job.tunnelTargetId);
  const source = profile.targets.find((target) => target.id === job.sourceTargetId);
  const percent = restorePercent(job);
  const text = phaseText(job);
  const ready = job.phase === 'available';
  return (
    <article className="panel-box restore" aria-labelledby={`restore-${job.identifier}`}>
      <h4 id={`restore-${job.identifier}`}>
        {job.identifier}
        <small>
          new database{job.snapshotIdentifier ? ` from snapshot ${job.snapshotIdentifier}` : ''}
          {source ? ` of ${source.name}` : ''}
        </small>
      </h4>
      <progress className={`restore-bar phase-${job.phase}`} aria-label={`Restore of ${job.identifier}`} max={100} value={percent} aria-valuetext={text} />
      <ol className="restore-steps" aria-hidden="true">
        {(['requested', 'creating', 'available'] as const).map((step) => (
          <li key={step} className={stepState(job, step)}>
            {step}
          </li>
        ))}
      </ol>
      <p role="status" aria-label={`Restore status of ${job.identifier}`}>
        {text}
      </p>
      {job.error ? <ErrorNote error={job.error} /> : null}
      {job.phase === 'failed' ? (
        <div className="actions">
          <button className="secondary" onClick={() => useRollback.getState().dismiss(profile.id, job.identifier)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {ready && job.endpoint ? (
        <>
          <p>
            Endpoint <code>{`${job.endpoint.host}:${job.endpoint.port}`}</code> (inside the VPC: tunnel to it through the jump box).
          </p>
          <TunnelControls job={job} profileId={profile.id} tunnelTarget={tunnelTarget} />
          <DeleteCopy job={job} profileId={profile.id} tunnelTarget={tunnelTarget} />
        </>
      ) : null}
    </article>
  );
}

function stepState(job: RestoreJob, step: 'requested' | 'creating' | 'available'): string {
  const order = ['starting', 'requested', 'creating', 'available'];
  const at = job.phase === 'deleting' || job.phase === 'deleted' ? 3 : order.indexOf(job.phase);
  const index = order.indexOf(step);
  if (at < 0) return 'step';
  return index < at || (index === at && step === 'available') ? 'step done' : index === at ? 'step current' : 'step';
}

function TunnelControls({ job, profileId, tunnelTarget }: { job: RestoreJob; profileId: string; tunnelTarget: DbTarget | undefined }) {
  const { useTunnels, useConnect, useRollback } = useStores();
  const now = useNow();
  const state = useTunnels((store) => (tunnelTarget ? store.byId[`${profileId}/${tunnelTarget.id}`]?.state : undefined));
  const busy = useConnect((store) => Boolean(tunnelTarget && store.busy[jobKey({ profileId, targetId: tunnelTarget.id })]));
  const live = state ? isLive(state) : false;
  return (
    <div className="actions">
      {live && tunnelTarget ? (
        <button className="secondary" aria-label={`Disconnect ${tunnelTarget.name}`} onClick={() => void useConnect.getState().disconnect({ profileId, targetId: tunnelTarget.id })} disabled={busy}>
          Disconnect
        </button>
      ) : (
        <button onClick={() => void useRollback.getState().tunnelTo(profileId, job.identifier)} disabled={busy}>
          Tunnel to the restored copy
        </button>
      )}
      {tunnelTarget ? (
        <span aria-label={`Tunnel to ${job.identifier}`} className={`status status-${state?.status ?? 'idle'}`}>
          <code>127.0.0.1:{tunnelTarget.localPort}</code> · {state ? describeState(state, now) : busy ? 'connecting…' : 'not connected'}
        </span>
      ) : null}
    </div>
  );
}

/** Deleting asks for the copy's exact name, and only a copy Jumpgate restored can go (the service checks both again). */
function DeleteCopy({ job, profileId, tunnelTarget }: { job: RestoreJob; profileId: string; tunnelTarget: DbTarget | undefined }) {
  const { useRollback } = useStores();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const exact = typed === job.identifier;
  if (!open) {
    return (
      <div className="actions">
        <button className="secondary danger" onClick={() => setOpen(true)}>
          Delete restored copy…
        </button>
      </div>
    );
  }
  return (
    <form
      className="delete-copy"
      aria-label={`Delete ${job.identifier}`}
      onSubmit={(event) => {
        event.preventDefault();
        if (exact) void useRollback.getState().deleteCopy(profileId, job.identifier, typed);
      }}
    >
      <p>
        This deletes the database <code>{job.identifier}</code> and its data for good
        {tunnelTarget ? `, and removes its target ${tunnelTarget.name}` : ''}. Production is not touched.
      </p>
      <FormField label={`Type ${job.identifier} to delete it`} error={typed !== '' && !exact ? 'That is not the exact name.' : undefined}>
        {(props) => <input {...props} autoFocus value={typed} autoComplete="off" spellCheck={false} onChange={(event) => setTyped(event.target.value)} />}
      </FormField>
      <div className="actions">
        <button type="submit" className="danger" disabled={!exact || job.phase === 'deleting'}>
          Delete {job.identifier}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setOpen(false);
            setTyped('');
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}

