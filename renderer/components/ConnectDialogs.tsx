import { useStores } from '../storesContext';
import { SshQuestionDialog } from './Prompts';

/** Whichever question the connect flow is asking now. */
export function ConnectDialogs() {
  const { useConnect } = useStores();
  const dialog = useConnect((state) => state.dialog);
  const { trust, unlock, dismiss } = useConnect.getState();
  if (!dialog) return null;
  return (
    <SshQuestionDialog
      question={dialog}
      onTrust={() => void trust()}
      onUnlock={(answer) => void unlock(answer)}
      onClose={dismiss}
    />
  );
}
