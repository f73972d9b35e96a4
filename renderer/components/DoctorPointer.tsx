import type { ErrorInfo } from '../../shared/model/errors';
import { firstFailureOf, stepOf } from '../stores/doctor';
import { useStores } from '../storesContext';

/**
 * Under a failed connect's error: the doctor that this failure started, while
 * it runs and then the first step it found failing, with the way to its tab.
 * Shows nothing for any other error.
 */
export function DoctorPointer({ error }: { error: ErrorInfo }) {
  const { useDoctor, useProfiles, useNavigation } = useStores();
  const failure = useDoctor((state) => state.connectFailure);
  if (failure?.error !== error) return null;
  const { run, profileId } = failure;
  const open = () => {
    useProfiles.getState().select(profileId);
    useNavigation.getState().go({ kind: 'profile', tab: 'doctor' });
  };
  if (!run) return <p className="doctor-pointer">Running the doctor to find the step that fails…</p>;
  const failing = firstFailureOf(run.report);
  return (
    <p className="doctor-pointer">
      {run.error
        ? `The doctor could not run: ${run.error.message} `
        : failing && run.report
          ? `The doctor stops at ${stepOf(run.report, failing)}: ${failing.title}.${failing.detail === error.message ? '' : ` ${failing.detail}`} `
          : 'The doctor found every step working just now; try connecting again. '}
      <button className="secondary" onClick={open}>
        Open Doctor
      </button>
    </p>
  );
}
