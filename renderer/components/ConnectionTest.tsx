import { useState } from 'react';
import type { Profile } from '../../shared/model/profile';
import type { SshQuestion, Unlock } from '../sshQuestions';
import { notRememberedNotice } from '../stores/connect';
import { doctorQuestionOf, type DoctorRun } from '../stores/doctor';
import { useStores } from '../storesContext';
import { CheckList, verdict } from './DoctorReportView';
import { ErrorNote } from './ErrorNote';
import { SshQuestionDialog } from './Prompts';

/**
 * "Test connection" in the profile form, as database tools have it: the doctor's steps for what
 * the form holds now, before it is saved, with Connect's questions (the key's passphrase, a jump
 * box met for the first time) asked on the way. `profile` is undefined while the form has errors.
 */
export function ConnectionTest({ profile, onInvalid }: { profile: Profile | undefined; onInvalid: () => void }) {
  const { useDoctor, useFeedback, useHostKeys } = useStores();
  const [run, setRun] = useState<DoctorRun | undefined>();
  const [running, setRunning] = useState(false);
  const [question, setQuestion] = useState<SshQuestion | undefined>();

  const test = async (unlock?: Unlock): Promise<void> => {
    setQuestion(undefined);
    if (!profile) {
      onInvalid();
      return;
    }
    setRunning(true);
    const done = await useDoctor.getState().testDraft(profile, unlock ? { unlock } : {});
    setRunning(false);
    // A newer test of this form answers for itself.
    if (!done) return;
    setRun(done);
    if (done.report?.notRemembered) useFeedback.getState().showNotice(notRememberedNotice(done.report.notRemembered));
    setQuestion(doctorQuestionOf(done.report, profile));
  };

  return (
    <section className="connection-test" aria-label="Connection test">
      <button type="button" className="secondary" onClick={() => void test()} disabled={running}>
        Test connection
      </button>
      <p role="status" className="doctor-verdict">
        {running ? `Testing ${profile?.name ?? 'the profile'}${profile?.targets[0] ? ` / ${profile.targets[0].name}` : ''}, nothing is saved…` : run?.report ? verdict(run.report) : ''}
      </p>
      {run?.error && !running ? <ErrorNote error={run.error} /> : null}
      {run?.report && profile && !running ? <CheckList report={run.report} profile={profile} onTrusted={() => void test()} onAsk={setQuestion} /> : null}
      {question ? (
        <SshQuestionDialog
          question={question}
          action="check"
          onClose={() => setQuestion(undefined)}
          onTrust={(error) => {
            setQuestion(undefined);
            void useHostKeys.getState().trustThen(error, () => test());
          }}
          onUnlock={(answer) => void test(answer)}
        />
      ) : null}
    </section>
  );
}
