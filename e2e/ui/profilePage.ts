import type { Page } from 'playwright-core';

/** The profile screen as a user sees it: found by roles and labels, never by CSS classes. */
export class ProfilePage {
  constructor(readonly page: Page) {}

  async open(url: string, profileName: string): Promise<void> {
    await this.page.goto(url);
    await this.profileButton(profileName).click();
    await this.page.getByRole('heading', { level: 2, name: profileName, exact: true }).waitFor();
  }

  /** A profile in the sidebar, by its exact name (its status dot reads first: "status open Prod"). */
  profileButton(profileName: string) {
    const exactName = new RegExp(`^status \\w+ ${profileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    return this.page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: exactName });
  }

  status(targetName: string) {
    return this.page.getByLabel(`Status of ${targetName}`);
  }

  /** Wait until the target's status line says what the user would read. */
  async waitForStatus(targetName: string, text: RegExp): Promise<string> {
    await this.status(targetName).filter({ hasText: text }).waitFor({ timeout: 20_000 });
    return (await this.status(targetName).textContent()) ?? '';
  }

  connect(targetName: string) {
    return this.page.getByRole('button', { name: `Connect ${targetName}`, exact: true }).click();
  }

  disconnect(targetName: string) {
    return this.page.getByRole('button', { name: `Disconnect ${targetName}`, exact: true }).click();
  }

  hostKeyDialog() {
    return this.page.getByRole('dialog', { name: 'Trust this jump box?' });
  }

  passphraseDialog() {
    return this.page.getByRole('dialog', { name: 'Unlock your SSH key' });
  }

  /** Type a passphrase into the unlock prompt and submit it. */
  async unlockWith(passphrase: string): Promise<void> {
    const dialog = this.passphraseDialog();
    await dialog.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await dialog.getByRole('button', { name: 'Unlock and connect' }).click();
  }

  /** Trust the jump box the host-key prompt shows; returns the fingerprint it showed, for the caller to check. */
  async trustHostKey(): Promise<string> {
    const dialog = this.hostKeyDialog();
    const fingerprint = (await dialog.getByLabel('Host key fingerprint').textContent()) ?? '';
    await dialog.getByRole('button', { name: 'Trust and connect' }).click();
    return fingerprint;
  }

  /** A button by its exact accessible name: the profile's ("Connect all") or a target's ("Copy password for Orders"). */
  button(name: string) {
    return this.page.getByRole('button', { name, exact: true });
  }

  clipboardBanner() {
    return this.page.getByRole('status', { name: 'Clipboard' });
  }
}
