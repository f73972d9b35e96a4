import { useId } from 'react';
import type { Profile } from '../../shared/model/profile';
import type { SshQuestion } from '../sshQuestions';
import { doctorQuestionOf, firstFailureOf, stepOf, type DoctorCheck, type DoctorReport } from '../stores/doctor';
import { TrustHostKey } from './TrustHostKey';

/** A doctor report as the Doctor tab and the editor's "Test connection" show it. */

const MARKS: Record<DoctorCheck['status'], string> = { pass: '✓', fail: '✗', skip: '–' };
const LABELS: Record<DoctorCheck['status'], string> = { pass: 'Passed', fail: 'Failed', skip: 'Skipped' };

export function verdict(report: DoctorReport): string {
  const failing = firstFailureOf(report);
  if (failing) {
    const held = report.checks.filter((check) => check.waitsFor === failing.id).length;
    const others = report.checks.filter((check) => check.status === 'fail' && check !== failing).map((check) => check.title);
    return (
      `${capitalise(stepOf(report, failing))} failed: ${failing.title}. Fix it first${held > 0 ? `; ${held} ${held === 1 ? 'step waits' : 'steps wait'} for it` : ''}.` +
      (others.length > 0 ? ` Also failing: ${others.join(', ')}.` : '')
    );
  }
  const passed = report.checks.filter((check) => check.status === 'pass').length;
  const skipped = report.checks.length - passed;
  return skipped > 0 ? `${passed} checks passed, ${skipped} not needed for this profile. Nothing is broken.` : `All ${passed} checks passed.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The ordered steps; the first failure carries its hint and is marked as the current step. A
 * step that stopped at a question offers it again (the dialog may have been closed).
 */
export function CheckList({ report, profile, onTrusted, onAsk }: { report: DoctorReport; profile: Pick<Profile, 'jumpHost'>; onTrusted: () => void; onAsk: (question: SshQuestion) => void }) {
  const pending = doctorQuestionOf(report, profile);
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
              {check.error ? <TrustHostKey error={check.error} onTrusted={onTrusted} /> : null}
              {check.id === 'key' && pending?.kind === 'passphrase' ? (
                <button className="secondary" onClick={() => onAsk(pending)}>
                  Enter the passphrase
                </button>
              ) : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
