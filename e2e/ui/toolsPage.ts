import type { Locator, Page } from 'playwright-core';

/** What the user reads beside a check or a checklist item. */
const STATE_TEXT = /^(Passed|Failed|Skipped|Not checked yet|Not needed|Done|To do)$/;

/** The profile's Doctor tab, and the note a failed connect leaves: found by roles and names, as a user would. */
export class DoctorTab {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Doctor' }).click();
    await this.panel().waitFor();
  }

  panel(): Locator {
    return this.page.getByRole('tabpanel', { name: 'Doctor' });
  }

  /** "Run doctor" the first time, "Run again" after; waits for the verdict the test expects (a stale one never matches). */
  async run(expected: RegExp): Promise<string> {
    await this.panel().getByRole('button', { name: /^(Run doctor|Run again)$/ }).click();
    return this.waitForVerdict(expected);
  }

  verdict(): Locator {
    return this.panel().getByRole('status');
  }

  async waitForVerdict(text: RegExp): Promise<string> {
    await this.verdict().filter({ hasText: text }).waitFor({ timeout: 30_000 });
    return (await this.verdict().textContent()) ?? '';
  }

  check(title: string): Locator {
    return this.panel().getByRole('list', { name: 'Doctor checks' }).getByRole('listitem', { name: title, exact: true });
  }

  async stateOf(title: string): Promise<string> {
    return (await this.check(title).getByText(STATE_TEXT).textContent()) ?? '';
  }

  /** Every step's title and state, in order. */
  async states(): Promise<Array<[string, string]>> {
    const items = this.panel().getByRole('list', { name: 'Doctor checks' }).getByRole('listitem');
    const result: Array<[string, string]> = [];
    for (const item of await items.all()) {
      result.push([(await item.locator('strong').first().textContent()) ?? '', (await item.getByText(STATE_TEXT).textContent()) ?? '']);
    }
    return result;
  }

  /** The step marked as the one to start with (aria-current="step"). */
  currentStep(): Locator {
    return this.panel().locator('li[aria-current="step"]');
  }

  target(): Locator {
    return this.panel().getByLabel('Target', { exact: true });
  }

  /** The error note of a failed connect, once its doctor has finished. */
  connectNote(): Locator {
    return this.page.getByRole('alert').filter({ has: this.page.getByRole('button', { name: 'Open Doctor' }) });
  }

  /** The question the doctor asks when it stops at an encrypted key (the same dialog as Connect's). */
  passphraseDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Unlock your SSH key' });
  }

  /** Type the key's passphrase into the doctor's question and check again with it. */
  async unlockWith(passphrase: string): Promise<void> {
    const dialog = this.passphraseDialog();
    await dialog.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await dialog.getByRole('button', { name: 'Unlock and check' }).click();
  }

  hostKeyDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Trust this jump box?' });
  }

  /** Trust the jump box the doctor met for the first time; returns the fingerprint shown, for the caller to compare. */
  async trustHostKey(): Promise<string> {
    const dialog = this.hostKeyDialog();
    const fingerprint = (await dialog.getByLabel('Host key fingerprint').textContent()) ?? '';
    await dialog.getByRole('button', { name: 'Trust and check' }).click();
    return fingerprint;
  }
}

/** The new starter checklist (Tools). */
export class ChecklistPage {
  constructor(readonly page: Page) {}

  async open(profileName: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'New starter checklist' }).click();
    await this.page.getByRole('heading', { level: 2, name: 'New starter checklist' }).waitFor();
    await this.page.getByLabel('Profile', { exact: true }).selectOption({ label: profileName });
    await this.list(profileName).waitFor();
  }

  list(profileName: string): Locator {
    return this.page.getByRole('list', { name: `Checklist for ${profileName}` });
  }

  progress(): Locator {
    return this.page.getByRole('status').filter({ hasText: /done|Checking/ });
  }

  /** Press "Check now" and wait for the live checks to answer. */
  async checkNow(): Promise<string> {
    await this.page.getByRole('button', { name: 'Check now' }).click();
    return this.waitForProgress(/done, checked at/);
  }

  async waitForProgress(text: RegExp): Promise<string> {
    await this.progress().filter({ hasText: text }).waitFor({ timeout: 30_000 });
    return (await this.progress().textContent()) ?? '';
  }

  item(title: string): Locator {
    return this.page.getByRole('listitem', { name: title, exact: true });
  }

  async stateOf(title: string): Promise<string> {
    return (await this.item(title).getByText(STATE_TEXT).textContent()) ?? '';
  }

  /** Wait until the item shows `state` (after a re-check the user did not start, say). */
  async waitForState(title: string, state: string): Promise<void> {
    await this.item(title).getByText(state, { exact: true }).waitFor({ timeout: 30_000 });
  }

  keySent(): Locator {
    return this.page.getByRole('checkbox', { name: 'Public key sent to the administrator' });
  }

  /** The items' titles, top to bottom. */
  async titles(profileName: string): Promise<string[]> {
    const titles: string[] = [];
    for (const item of await this.list(profileName).getByRole('listitem').all()) titles.push((await item.locator('strong, label').first().textContent()) ?? '');
    return titles;
  }

  /** The public key line the checklist shows to send to the administrator. */
  publicKey(): Locator {
    return this.item('Public key sent to the administrator').getByLabel('Your public key', { exact: true });
  }

  /** Every item's title and the state beside it, top to bottom. */
  async states(profileName: string): Promise<Array<[string, string]>> {
    const result: Array<[string, string]> = [];
    for (const item of await this.list(profileName).getByRole('listitem').all()) {
      result.push([(await item.locator('strong, label').first().textContent()) ?? '', (await item.getByText(STATE_TEXT).textContent()) ?? '']);
    }
    return result;
  }

  /** The key's passphrase, asked from the key item ("Enter the passphrase"), as Connect asks it. */
  passphraseDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Unlock your SSH key' });
  }

  /** Answer the key item's question; the checklist checks again with the passphrase. */
  async unlockWith(passphrase: string): Promise<void> {
    await this.item('SSH key created').getByRole('button', { name: 'Enter the passphrase' }).click();
    const dialog = this.passphraseDialog();
    await dialog.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await dialog.getByRole('button', { name: 'Unlock and check' }).click();
  }
}

/** The Keys tool: make a key pair, and the public line to hand over. */
export class KeysPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Keys', exact: true }).click();
    await this.createForm().waitFor();
  }

  createForm(): Locator {
    return this.page.getByRole('form', { name: 'Create a key' });
  }

  /**
   * Create a key where the form proposes (ed25519 unless told), with a passphrase typed twice;
   * returns the path it was saved as and the public line the new key's card shows.
   */
  async create(options: { passphrase: string; type?: 'ed25519' | 'rsa' }): Promise<{ path: string; publicKey: string }> {
    const form = this.createForm();
    if (options.type === 'rsa') await form.getByRole('radio', { name: /^RSA/ }).check();
    const path = await form.getByLabel('Save the private key as', { exact: true }).inputValue();
    await form.getByLabel('Passphrase', { exact: true }).fill(options.passphrase);
    await form.getByLabel('Passphrase again', { exact: true }).fill(options.passphrase);
    await form.getByRole('button', { name: 'Create key' }).click();
    const card = this.page.getByRole('region', { name: 'Your new key' });
    const publicKey = await card.getByLabel("Public key to send to the jump box's administrator", { exact: true }).inputValue();
    return { path, publicKey };
  }
}

/** The audit log (Tools). */
export class AuditPage {
  constructor(readonly page: Page) {}

  /** Opened from the sidebar, as a user does: that click is what reads the log. */
  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Audit log' }).click();
    await this.page.getByRole('heading', { level: 2, name: 'Audit log' }).waitFor();
    await this.count().filter({ hasText: /entr(y|ies)/ }).waitFor();
  }

  count(): Locator {
    return this.page.getByRole('status').filter({ hasText: /entr(y|ies)|Reading/ });
  }

  table(): Locator {
    return this.page.getByRole('table', { name: 'Audit log entries, newest first' });
  }

  /** Body rows as [time, user, kind, detail], newest first. */
  async rows(): Promise<string[][]> {
    const rows = this.table().getByRole('row');
    const result: string[][] = [];
    for (const row of (await rows.all()).slice(1)) result.push(await row.getByRole('cell').allTextContents());
    return result;
  }

  /** Wait for a row whose text matches (a live entry, say). */
  async waitForRow(text: RegExp): Promise<void> {
    await this.table().getByRole('row').filter({ hasText: text }).first().waitFor({ timeout: 20_000 });
  }

  kindFilter(): Locator {
    return this.page.getByLabel('Kind', { exact: true });
  }

  search(): Locator {
    return this.page.getByLabel('Search', { exact: true });
  }
}
