import { useBridge } from '../bridgeContext';
import { useConnect } from '../stores/connect';
import { SshQuestionDialog } from './Prompts';

/** Whichever question the connect flow is asking now. */
export function ConnectDialogs() {
  const bridge = useBridge();
  const dialog = useConnect((state) => state.dialog);
  const { trust, unlock, dismiss } = useConnect.getState();
  if (!dialog) return null;
  return (
    <SshQuestionDialog
      question={dialog}
      onTrust={() => void trust(bridge)}
      onUnlock={(passphrase, remember) => void unlock(bridge, { passphrase, remember })}
      onClose={dismiss}
    />
  );
}
