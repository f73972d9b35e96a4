import type { ErrorInfo } from '../shared/model/errors';
import type { Profile } from '../shared/model/profile';
import type { KeyCheck } from './stores/checklist';
import type { DoctorCheck, DoctorRun } from './stores/doctor';

export type ItemId = 'aws' | 'key' | 'sent' | 'ip' | 'host-key' | 'db';

/** What the user reads beside each item. `not-needed` counts as done: the profile does not use that part. */
export type ItemState = 'passed' | 'failed' | 'unchecked' | 'not-needed';

export interface ChecklistItem {
  id: ItemId;
  title: string;
  state: ItemState;
  /** What was found, why it failed, or why it is not checked; absent before the first check. */
  detail?: string;
  error?: ErrorInfo;
}

export const ITEM_TITLES: Record<ItemId, string> = {
  aws: 'AWS access works',
  key: 'SSH key created',
  sent: 'Public key sent to the administrator',
  ip: 'IP allowed on the jump box',
  'host-key': 'Host key pinned',
  db: 'Database access tested',
};

/** The doctor's step behind each live item (the key item prefers keys:inspect, which reads the file itself). */
const DOCTOR_STEP: Partial<Record<ItemId, DoctorCheck['id']>> = { aws: 'aws-credentials', key: 'key', ip: 'ip-allowed', 'host-key': 'host-key', db: 'db-greeting' };

/** The item that stands for a doctor step, where one does: a wait names what the user reads on this page. */
const ITEM_OF_STEP: Partial<Record<DoctorCheck['id'], ItemId>> = { key: 'key', 'aws-credentials': 'aws', 'ip-allowed': 'ip', 'host-key': 'host-key', 'db-greeting': 'db' };

/**
 * The doctor's key step stopped at the key's passphrase (missing, or wrong): the file is there, so
 * this is a question the checklist asks, not a failure (issue #13).
 */
export function keyPassphraseAsked(run: DoctorRun | undefined): 'required' | 'wrong' | undefined {
  const code = run?.report?.checks.find((check) => check.id === 'key')?.error?.code;
  if (code === 'PASSPHRASE_REQUIRED') return 'required';
  if (code === 'BAD_PASSPHRASE') return 'wrong';
  return undefined;
}

/** The doctor steps that no item stands for: when one of them fails, the checklist says so separately. */
export const UNMAPPED_STEPS: ReadonlySet<DoctorCheck['id']> = new Set(['region', 'tcp', 'key', 'auth', 'forward', 'db-login']);

function fromDoctor(id: ItemId, run: DoctorRun | undefined, profile: Profile): Omit<ChecklistItem, 'id' | 'title'> {
  if (id === 'db' && profile.targets.length === 0) return { state: 'unchecked', detail: 'Add a database target to this profile, then check again.' };
  if (!run) return { state: 'unchecked' };
  if (run.error) return { state: 'unchecked', detail: `The doctor could not run: ${run.error.message}` };
  const checks = run.report?.checks ?? [];
  const check = checks.find((entry) => entry.id === DOCTOR_STEP[id]);
  if (!check) return { state: 'unchecked' };
  if (check.status === 'pass') return { state: 'passed', detail: check.detail };
  if (check.status === 'fail') return { state: 'failed', detail: check.detail, ...(check.error ? { error: forChecklist(id, check.error) } : {}) };
  // A step held up by a failed one is a wait, not an answer; any other skip means the profile does without it.
  if (check.waitsFor || check.detail.startsWith('not reached')) {
    // The key is the routine's first step: it waits for nothing, whatever an older run said (issue #13).
    if (id === 'key') return { state: 'unchecked', detail: 'Check now reads the key file itself.' };
    // Held up by the key's passphrase alone: say that, not that the key failed (its item passed).
    const asked = check.waitsFor === 'key' ? keyPassphraseAsked(run) : undefined;
    if (asked) {
      return {
        state: 'unchecked',
        detail: `Waits for your key's passphrase${asked === 'wrong' ? ' (the last one typed did not unlock it)' : ''}: press "Enter the passphrase" under "${ITEM_TITLES.key}".`,
      };
    }
    const blockerStep = checks.find((entry) => entry.id === check.waitsFor);
    const blockerItem = blockerStep ? ITEM_OF_STEP[blockerStep.id] : undefined;
    const blocker = blockerItem ? ITEM_TITLES[blockerItem] : blockerStep?.title;
    return { state: 'unchecked', detail: blocker ? `Waits for "${blocker}", which failed.` : `${capitalise(check.detail)}.` };
  }
  return { state: 'not-needed', detail: capitalise(check.detail) + '.' };
}

function fromKeyCheck(key: KeyCheck): Omit<ChecklistItem, 'id' | 'title'> {
  if (key.ok) {
    const { type, fingerprint, format, encrypted } = key.value;
    return { state: 'passed', detail: `${type} key ${fingerprint} (${format})${encrypted ? ', protected by a passphrase' : ''}.` };
  }
  // The file is there and is a key; only its passphrase is missing, which this check does not ask for.
  if (key.error.code === 'PASSPHRASE_REQUIRED') return { state: 'passed', detail: `${key.error.message} It exists; Jumpgate asks for the passphrase when it connects.` };
  return { state: 'failed', detail: key.error.message, error: forChecklist('key', key.error) };
}

/**
 * An error as the checklist's reader needs it. A missing key file, on this page, is a key not
 * made yet, not one "moved or renamed" as the loader's hint supposes (issue #13).
 */
function forChecklist(id: ItemId, error: ErrorInfo): ErrorInfo {
  if (id === 'key' && error.code === 'KEY_NOT_FOUND') {
    return { ...error, hint: 'Create it in Keys and use it in this profile, or put the path of the key you already have in Edit profile.' };
  }
  return error;
}

/**
 * The order of the routine a new starter follows (issue #13): make a key, send its public line,
 * get the IP allowed (with AWS, where the profile uses it), pin the jump box, reach the database.
 */
export const ITEM_ORDER: readonly ItemId[] = ['key', 'sent', 'aws', 'ip', 'host-key', 'db'];

/** The six items in the routine's order, each with its live state; one that cannot be checked yet says what it waits for, and the key waits for nothing. */
export function checklistItems(profile: Profile, run: DoctorRun | undefined, key: KeyCheck | undefined, sentAt: string | undefined): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  for (const id of ITEM_ORDER) {
    const title = ITEM_TITLES[id];
    if (id === 'sent') {
      const keyFailed = items.find((item) => item.id === 'key')?.state === 'failed';
      items.push(
        sentAt
          ? { id, title, state: 'passed', detail: `Ticked on ${new Date(sentAt).toLocaleDateString()}.` }
          : { id, title, state: 'unchecked', detail: keyFailed ? `Waits for "${ITEM_TITLES.key}": make the key first, then send its public line.` : 'Tick it once you have sent it.' },
      );
    } else if (id === 'key' && profile.jumpHost.auth.kind === 'key' && key) items.push({ id, title, ...fromKeyCheck(key) });
    else items.push({ id, title, ...fromDoctor(id, run, profile) });
  }
  return items;
}

/** The doctor's first failure when no item shows it (the region, TCP, login or forward step). */
export function unmappedFailure(run: DoctorRun | undefined, items: ChecklistItem[]): DoctorCheck | undefined {
  const failing = run?.report?.checks.find((check) => check.id === run.report?.firstFailure);
  if (!failing || !UNMAPPED_STEPS.has(failing.id)) return undefined;
  // A key that only wants its passphrase is asked for on the key item.
  if (failing.id === 'key' && keyPassphraseAsked(run)) return undefined;
  // The key step is shown by the key item when that item failed too.
  if (failing.id === 'key' && items.find((item) => item.id === 'key')?.state === 'failed') return undefined;
  return failing;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
