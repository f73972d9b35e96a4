import { useId, useState } from 'react';
import type { Profile } from '../../shared/model/profile';
import { ErrorNote } from '../components/ErrorNote';
import { SshQuestionDialog } from '../components/Prompts';
import { TrustHostKey } from '../components/TrustHostKey';
import type { SshQuestion } from '../sshQuestions';
import { notRememberedNotice } from '../stores/connect';
import { doctorQuestionOf, firstFailureOf, stepOf, type DoctorCheck, type DoctorReport } from '../stores/doctor';
import { useStores } from '../storesContext';

const MARKS: Record<DoctorCheck['status'], string> = { pass: '✓', fail: '✗', skip: '–' };
const LABELS: Record<DoctorCheck['status'], string> = { pass: 'Passed', fail: 'Failed', skip: 'Skipped' };

/**
 * The Doctor tab (issue #6): the ordered checks a connection needs, in the order of the routine
 * (issue #13: key, AWS where the profile uses it, IP allowed, TCP 22, host key, login, forward,
 * database greeting and login), each passed, failed or skipped with its detail, and the first
 * failure pointed at with what to do. Shows the profile's latest run, whether the user started
 * it here or a failed connect did. A run started here that stops at an encrypted key or a jump
 * box met for the first time asks Connect's question, and runs again with the answer.
 */
export function DoctorScreen({ profile }: { profile: Profile }) {
  const { useDoctor, useFeedback, useHostKeys } = useStores();
  const run = useDoctor((state) => state.runs[profile.id]);
  const running = useDoctor((state) => Boolean(state.running[profile.id]));
  // The target picked here, per profile: the tab is not remounted when another profile is selected.
  const [picked, setPicked] = useState<{ profileId: string; targetId: string } | undefined>();
  const selectId = useId();
  const known = (targetId: string | undefined) => profile.targets.find((target) => target.id === targetId);
  const target = known(picked?.profileId === profile.id ? picked.targetId : undefined) ?? known(run?.targetId) ?? profile.targets[0];
  const checkedTarget = run ? (known(run.targetId) ?? (run.targetId ? undefined : profile.targets[0])) : undefined;

  // The question of this profile's last run started here; the tab is not remounted when another profile is selected.
  const [asking, setAsking] = useState<{ profileId: string; question: SshQuestion } | undefined>();
  const question = asking?.profileId === profile.id ? asking.question : undefined;

  const check = async (unlock?: { passphrase: string; remember: boolean }): Promise<void> => {
    setAsking(undefined);
    const done = await useDoctor.getState().run({ profileId: profile.id, ...(target ? { targetId: target.id } : {}) }, unlock ? { unlock } : {});
    if (done.report?.notRemembered) useFeedback.getState().showNotice(notRememberedNotice(done.report.notRemembered));
    // Only the run on screen asks: a newer one (or one for another target) has its own say.
    if (useDoctor.getState().runs[profile.id] !== done) return;
    const next = doctorQuestionOf(done.report, profile);
    if (next) setAsking({ profileId: profile.id, question: next });
  };
  const start = () => void check();
  const ask = (next: SshQuestion) => setAsking({ profileId: profile.id, question: next });

  return (
    <div className="doctor">
      <p className="muted">
        The checks a connection needs, in the order you set them up: your key first, AWS only where this profile uses it. A step that fails holds up the steps
        that need it, and the first failure says what to do about it. The doctor runs by itself when a connect fails.
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
      {run?.report ? <CheckList report={run.report} profile={profile} onTrusted={start} onAsk={ask} /> : null}
      {question ? (
        <SshQuestionDialog
          question={question}
          action="check"
          onClose={() => setAsking(undefined)}
          onTrust={(error) => {
            setAsking(undefined);
            void useHostKeys
              .getState()
              .trust(error)
              .then((trusted) => {
                if (trusted) void check();
              });
          }}
          onUnlock={(passphrase, remember) => void check({ passphrase, remember })}
        />
      ) : null}
    </div>
  );
}

function verdict(report: DoctorReport): string {
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
function CheckList({ report, profile, onTrusted, onAsk }: { report: DoctorReport; profile: Profile; onTrusted: () => void; onAsk: (question: SshQuestion) => void }) {
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
