import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import { CONNECTION_STRING_FORMAT_NAMES, DEFAULT_CLIPBOARD_CLEAR_MS, type EventOf, type Reply, type RequestOf, type ResponseOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';
import { createPageClipboard, type PageClipboardGuard, type PageClipboardState } from '../pageClipboard';
import type { FeedbackState } from './feedback';
import { remoteCall } from './remoteCall';

type Pending = NonNullable<EventOf<'secrets:clipboard'>['pending']>;
type ClearFailed = NonNullable<EventOf<'secrets:clipboard'>['failed']>;
type TargetRef = { profileId: string; targetId: string };
export type ConnectionStringFormat = RequestOf<'secrets:copyConnectionString'>['format'];
export type Credentials = ResponseOf<'secrets:revealPassword'>;


/**
 * A target's password and connection strings, fetched from Secrets Manager on
 * each request and never kept here; and what is on the clipboard: from the
 * service's own events when the service copied (the countdown ends when the
 * clear really ran, not when this page's clock says so), or from the page's own
 * guard in the browser mode when the service has no clipboard.
 */
export interface SecretsState {
  seq: number;
  pending: Pending | undefined;
  /** The label of the last copy that left the clipboard, for "cleared" feedback. */
  lastCleared: string | undefined;
  /** The service's clear failed: the copy may still be on the clipboard (never shown as cleared). */
  clearFailed: ClearFailed | undefined;
  /** What the page's own clipboard guard holds (browser mode without a service clipboard). */
  page: PageClipboardState;
  init(): () => void;
  /** `names` label the copy ("Password for Production / orders"). */
  copyPassword(ref: TargetRef, names: TargetNames): Promise<void>;
  /** The credentials to show; the caller holds them only while they are shown. Undefined (with the error shown) when refused. */
  revealPassword(ref: TargetRef): Promise<Credentials | undefined>;
  copyConnectionString(ref: TargetRef, format: ConnectionStringFormat, names: TargetNames): Promise<void>;
  /** A connection string to show (a Prisma DATABASE_URL to paste into .env); held only while shown. */
  revealConnectionString(ref: TargetRef, format: ConnectionStringFormat): Promise<string | undefined>;
  clearClipboard(): Promise<void>;
}

export interface TargetNames {
  profile: string;
  target: string;
}

const isClipboardMissing = (reply: Reply<unknown>): boolean => !reply.ok && reply.error.code === 'CLIPBOARD_UNAVAILABLE';

export function createSecretsStore(bridge: JumpgateBridge, feedback: StoreApi<FeedbackState>, pageClipboard: (onChange: (state: PageClipboardState) => void) => PageClipboardGuard | undefined = createPageClipboard) {
  const copyPassword = remoteCall(bridge, 'secrets:copyPassword');
  const revealPassword = remoteCall(bridge, 'secrets:revealPassword');
  const copyConnectionString = remoteCall(bridge, 'secrets:copyConnectionString');
  const revealConnectionString = remoteCall(bridge, 'secrets:revealConnectionString');
  const clearClipboard = remoteCall(bridge, 'secrets:clearClipboard');
  const showError = (error: ErrorInfo): void => feedback.getState().showError(error);
  const showErrorOf = (reply: Reply<unknown>): void => {
    if (!reply.ok) showError(reply.error);
  };

  return create<SecretsState>()((set, get) => {
    const page = pageClipboard((state) => set({ page: state }));

    /**
     * The service could not copy (no clipboard where it runs): fetch the secret for the page
     * and let the page's guard copy and clear it. Without a page clipboard, the service's
     * refusal stands.
     */
    async function copyOnPage(fetchSecret: () => Promise<Reply<string>>, label: string, refused: Reply<unknown>): Promise<void> {
      if (!page) return showErrorOf(refused);
      const secret = await fetchSecret();
      if (!secret.ok) return showError(secret.error);
      try {
        await page.copy(secret.value, label, DEFAULT_CLIPBOARD_CLEAR_MS);
      } catch (error) {
        showError({
          code: 'CLIPBOARD_UNAVAILABLE',
          message: `The browser did not allow copying${error instanceof Error && error.message ? `: ${error.message}` : ''}.`,
          hint: 'Click into this page and try again, or use Reveal and copy it by hand.',
        });
      }
    }

    return {
      seq: 0,
      pending: undefined,
      lastCleared: undefined,
      clearFailed: undefined,
      page: { kind: 'empty' },
      init: () =>
        bridge.on('secrets:clipboard', (event) => {
          if (event.seq <= get().seq) return;
          const { pending: before, clearFailed: failedBefore, lastCleared } = get();
          // Cleared only when nothing is pending and the clear did not fail (issue #17); a retry that worked clears the failure.
          const cleared = !event.pending && !event.failed ? (before?.label ?? failedBefore?.label) : undefined;
          set({ seq: event.seq, pending: event.pending, clearFailed: event.failed, lastCleared: cleared ?? (event.pending || event.failed ? undefined : lastCleared) });
        }),
      copyPassword: async (ref, names) => {
        const reply = await copyPassword.send(ref);
        if (!isClipboardMissing(reply)) return showErrorOf(reply);
        await copyOnPage(
          async () => {
            const revealed = await revealPassword.send({ ...ref, purpose: 'pageClipboard' });
            return revealed.ok ? { ok: true, value: revealed.value.password } : revealed;
          },
          `Password for ${names.profile} / ${names.target}`,
          reply,
        );
      },
      revealPassword: async (ref) => {
        const reply = await revealPassword.send({ ...ref, purpose: 'show' });
        showErrorOf(reply);
        return reply.ok ? reply.value : undefined;
      },
      copyConnectionString: async (ref, format, names) => {
        const reply = await copyConnectionString.send({ ...ref, format });
        if (!isClipboardMissing(reply)) return showErrorOf(reply);
        await copyOnPage(
          async () => {
            const revealed = await revealConnectionString.send({ ...ref, format, purpose: 'pageClipboard' });
            return revealed.ok ? { ok: true, value: revealed.value.text } : revealed;
          },
          `${CONNECTION_STRING_FORMAT_NAMES[format]} for ${names.profile} / ${names.target}`,
          reply,
        );
      },
      revealConnectionString: async (ref, format) => {
        const reply = await revealConnectionString.send({ ...ref, format, purpose: 'show' });
        showErrorOf(reply);
        return reply.ok ? reply.value.text : undefined;
      },
      clearClipboard: async () => {
        const kind = get().page.kind;
        if (page && (kind === 'pending' || kind === 'waitingForFocus' || kind === 'unknown')) {
          await page.clearNow().catch((error: unknown) =>
            showError({ code: 'CLIPBOARD_UNAVAILABLE', message: `The browser did not let this page clear the clipboard: ${error instanceof Error ? error.message : String(error)}.`, hint: 'Copy something else to replace it.' }),
          );
          return;
        }
        showErrorOf(await clearClipboard.send({}));
      },
    };
  });
}
