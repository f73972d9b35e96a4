import { useBridge } from '../bridgeContext';
import { useConnect } from '../stores/connect';
import { HostKeyMismatch, HostKeyPrompt, PassphrasePrompt } from './Prompts';

/** Whichever question the connect flow is asking now. */
export function ConnectDialogs() {
  const bridge = useBridge();
  const dialog = useConnect((state) => state.dialog);
  const { trust, unlock, dismiss } = useConnect.getState();
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'hostKey':
      return <HostKeyPrompt error={dialog.error} onTrust={() => void trust(bridge)} onCancel={dismiss} />;
    case 'mismatch':
      return <HostKeyMismatch error={dialog.error} onClose={dismiss} />;
    case 'passphrase':
      return <PassphrasePrompt keyPath={dialog.keyPath} wrong={dialog.wrong} onCancel={dismiss} onSubmit={(passphrase, remember) => void unlock(bridge, { passphrase, remember })} />;
  }
}
