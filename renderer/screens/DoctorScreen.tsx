import { useId, useState } from 'react';
import type { Profile } from '../../shared/model/profile';
import { ErrorNote } from '../components/ErrorNote';
import { SshQuestionDialog } from '../components/Prompts';
import type { SshQuestion, Unlock } from '../sshQuestions';
import { notRememberedNotice } from '../stores/connect';
import { doctorQuestionOf } from '../stores/doctor';
import { CheckList, verdict } from '../components/DoctorReportView';
import { useStores } from '../storesContext';

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

  const check = async (unlock?: Unlock): Promise<void> => {
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
            void useHostKeys.getState().trustThen(error, () => check());
          }}
          onUnlock={(answer) => void check(answer)}
        />
      ) : null}
    </div>
  );
}
