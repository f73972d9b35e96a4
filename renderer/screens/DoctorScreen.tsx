import { useId, useState } from 'react';
import type { Profile } from '../../shared/model/profile';
import { ErrorNote } from '../components/ErrorNote';
import { TrustHostKey } from '../components/TrustHostKey';
import { firstFailureOf, stepOf, type DoctorCheck, type DoctorReport } from '../stores/doctor';
import { useStores } from '../storesContext';

const MARKS: Record<DoctorCheck['status'], string> = { pass: '✓', fail: '✗', skip: '–' };
const LABELS: Record<DoctorCheck['status'], string> = { pass: 'Passed', fail: 'Failed', skip: 'Skipped' };

/**
 * The Doctor tab (issue #6): the ordered checks a connection needs (AWS
 * credentials, region, IP allowed, TCP 22, key, host key, login, forward,
 * database greeting), each passed, failed or skipped with its detail, and the
 * first failure pointed at with what to do. Shows the profile's latest run,
 * whether the user started it here or a failed connect did.
 */
export function DoctorScreen({ profile }: { profile: Profile }) {
  const { useDoctor } = useStores();
  const run = useDoctor((state) => state.runs[profile.id]);
  const running = useDoctor((state) => Boolean(state.running[profile.id]));
  // The target picked here, per profile: the tab is not remounted when another profile is selected.
  const [picked, setPicked] = useState<{ profileId: string; targetId: string } | undefined>();
  const selectId = useId();
  const known = (targetId: string | undefined) => profile.targets.find((target) => target.id === targetId);
  const target = known(picked?.profileId === profile.id ? picked.targetId : undefined) ?? known(run?.targetId) ?? profile.targets[0];
  const checkedTarget = run ? (known(run.targetId) ?? (run.targetId ? undefined : profile.targets[0])) : undefined;

  const start = () => void useDoctor.getState().run({ profileId: profile.id, ...(target ? { targetId: target.id } : {}) });

  return (
    <div className="doctor">
      <p className="muted">
        The checks a connection needs, in order. The doctor stops at the first one that fails and says what to do about it; it runs by itself when a connect
        fails.
      </p>
      <div className="toolbar">
        {profile.targets.length > 0 ? (
          <div className="field narrow">
            <label htmlFor={selectId}>Target</label>
            <select id={selectId} value={target?.id} onChange={(event) => setPicked({ profileId: profile.id, targetId: event.target.value })}>
              {profile.targets.map((entry) => (
                <option key={entry.id} value={entry.id}>
                  {entry.name}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <p className="muted">No targets: the doctor checks the jump box only.</p>
        )}
        <button onClick={start} disabled={running}>
          {run ? 'Run again' : 'Run doctor'}
        </button>
      </div>
      <p className="doctor-verdict" role="status">
        {running ? `Checking ${profile.name}${target ? ` / ${target.name}` : ''}…` : run?.report ? verdict(run.report) : run ? '' : 'Not run yet. Run it to see where a connection breaks.'}
      </p>
      {run && !running ? (
        <p className="muted">
          {checkedTarget ? `${checkedTarget.name}, ` : ''}checked at <time dateTime={new Date(run.at).toISOString()}>{new Date(run.at).toLocaleTimeString()}</time>
          {run.after ? ` after a connect failed: ${run.after.message}` : ''}
        </p>
      ) : null}
      {run?.error ? <ErrorNote error={run.error} /> : null}
      {run?.report ? <CheckList report={run.report} onTrusted={start} /> : null}
    </div>
  );
}

function verdict(report: DoctorReport): string {
  const failing = firstFailureOf(report);
  if (failing) return `${capitalise(stepOf(report, failing))} failed: ${failing.title}. Fix it first; the steps after it were not reached.`;
  const passed = report.checks.filter((check) => check.status === 'pass').length;
  const skipped = report.checks.length - passed;
  return skipped > 0 ? `${passed} checks passed, ${skipped} not needed for this profile. Nothing is broken.` : `All ${passed} checks passed.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The ordered steps; the first failure carries its hint and is marked as the current step. */
function CheckList({ report, onTrusted }: { report: DoctorReport; onTrusted: () => void }) {
  const prefix = useId();
  return (
    <ol className="checks" aria-label="Doctor checks">
      {report.checks.map((check) => {
        const first = check.id === report.firstFailure;
        const titleId = `${prefix}-${check.id}`;
        return (
          <li key={check.id} className={`check check-${check.status}${first ? ' check-first' : ''}`} aria-labelledby={titleId} aria-current={first ? 'step' : undefined}>
            <span className="check-mark" aria-hidden="true">
              {MARKS[check.status]}
            </span>
            <div className="check-body">
              <div className="check-line">
                <strong id={titleId}>{check.title}</strong>
                <span className="check-status">{LABELS[check.status]}</span>
                {first ? <span className="badge">Start here</span> : null}
              </div>
              <p className="check-detail">{check.detail}</p>
              {check.error?.hint ? <p className="check-hint">What to do: {check.error.hint}</p> : null}
              {check.error ? <code className="check-code">{check.error.code}</code> : null}
              {first && check.error ? <TrustHostKey error={check.error} onTrusted={onTrusted} /> : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
