import type { Handlers } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import type { ServiceContext } from '../serviceContext';

/**
 * "Choose…" beside a key path: the host's own file dialog (Electron's, in the desktop app).
 * Only the chosen path crosses to the page; the file is read when a connect uses it, by the
 * same loader as a typed path.
 */
export function keyPickerHandlers({ deps }: ServiceContext): Pick<Handlers, 'keys:pickFile'> {
  return {
    'keys:pickFile': async (request) => {
      if (!deps.pickKeyFile) {
        throw new JumpgateError('FILE_PICKER_UNAVAILABLE', 'There is no file dialog here.', {
          hint: 'Type the key file path (for example ~/.ssh/id_ed25519 or C:\\Keys\\prod.ppk).',
        });
      }
      const path = await deps.pickKeyFile(request?.startIn);
      return path ? { path } : {};
    },
  };
}
