import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { RequestOf, ResponseOf } from '../../shared/contract';
import type { FeedbackState } from './feedback';
import { remoteCall } from './remoteCall';

export type GeneratedKey = ResponseOf<'keys:generate'>;
export type InspectedKey = ResponseOf<'keys:inspect'>;
export type DefaultIdentity = ResponseOf<'keys:defaultIdentity'>;

/** What opening a key file came to: the key, or a question for its passphrase, or nothing (the error is shown). */
export type OpenedKey = { key: InspectedKey } | { needsPassphrase: true } | undefined;

/** The Keys screen's work: key pairs made on this computer and key files opened to read their public half. */
export interface KeysState {
  /** Make a key pair; undefined (with the error shown) when nothing was written. */
  generate(request: RequestOf<'keys:generate'>): Promise<GeneratedKey | undefined>;
  /** Read a key file, with its passphrase once the file turned out to need one. */
  open(path: string, passphrase?: string): Promise<OpenedKey>;
  /** The system's file dialog (desktop app): the chosen path, or undefined when cancelled or refused (the error shown). */
  pickFile(startIn?: string): Promise<string | undefined>;
  /** The key a new login uses unless the user names another (the one made here, else ~/.ssh's defaults); undefined when the service could not say. */
  defaultIdentity(): Promise<DefaultIdentity | undefined>;
}

export function createKeysStore(bridge: JumpgateBridge, feedback: StoreApi<FeedbackState>) {
  const generateKey = remoteCall(bridge, 'keys:generate');
  const inspectKey = remoteCall(bridge, 'keys:inspect');
  const pickKeyFile = remoteCall(bridge, 'keys:pickFile');
  const defaultIdentity = remoteCall(bridge, 'keys:defaultIdentity');
  const { showError, showNotice } = feedback.getState();

  return create<KeysState>()(() => ({
    generate: async (request) => {
      const reply = await generateKey.send(request);
      if (!reply.ok) {
        showError(reply.error);
        return undefined;
      }
      showNotice(`Created ${reply.value.privatePath} (readable by you only) and ${reply.value.publicPath}.`);
      return reply.value;
    },
    open: async (path, passphrase) => {
      const reply = await inspectKey.send({ path, ...(passphrase ? { passphrase } : {}) });
      if (reply.ok) return { key: reply.value };
      // A protected key is a question, not a failure; only a wrong answer to it is worth an error.
      const protectedKey = reply.error.code === 'PASSPHRASE_REQUIRED' || reply.error.code === 'BAD_PASSPHRASE';
      if (!protectedKey || reply.error.code === 'BAD_PASSPHRASE') showError(reply.error);
      return protectedKey ? { needsPassphrase: true } : undefined;
    },
    pickFile: async (startIn) => {
      const reply = await pickKeyFile.send(startIn ? { startIn } : {});
      if (!reply.ok) showError(reply.error);
      return reply.ok ? reply.value.path : undefined;
    },
    // Only a proposal for a field the user can fill: a failure leaves it empty, with nothing to report.
    defaultIdentity: async () => {
      const reply = await defaultIdentity.send({});
      return reply.ok ? reply.value : undefined;
    },
  }));
}
