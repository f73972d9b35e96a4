import type { Locator, Page } from 'playwright-core';

/**
 * The profile's AWS tabs (Endpoints, Access, Rollback) as a user sees them:
 * found by roles and labels, never by CSS classes.
 */
export class AwsScreensPage {
  constructor(readonly page: Page) {}

  async openTab(name: 'Targets' | 'Endpoints' | 'Access' | 'Rollback'): Promise<Locator> {
    await this.page.getByRole('tablist', { name: 'Profile sections' }).getByRole('tab', { name, exact: true }).click();
    const panel = this.page.getByRole('tabpanel', { name, exact: true });
    await panel.waitFor();
    return panel;
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  // Endpoints

  async listDatabases(region?: string): Promise<void> {
    if (region) await this.field('Region').selectOption(region);
    await this.button('List databases').click();
  }

  /** Wait for the list of one region and return its rows' database names, in order. */
  async databaseNames(region: string): Promise<string[]> {
    const table = this.page.getByRole('table', { name: `Databases in ${region}` });
    await table.waitFor();
    const labels = await table.getByRole('row', { name: /^Database \S+$/ }).evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''));
    return labels.map((label) => label.replace(/^Database /, ''));
  }

  nothingFound(region: string): Locator {
    return this.page.getByRole('status', { name: `No databases in ${region}` });
  }

  databaseRow(identifier: string): Locator {
    return this.page.getByRole('row', { name: `Database ${identifier}`, exact: true });
  }

  proposedPort(identifier: string): Locator {
    return this.page.getByLabel(`Proposed local port for ${identifier}`, { exact: true });
  }

  addTargetDialog(identifier: string): Locator {
    return this.page.getByRole('dialog', { name: `Add ${identifier} as a target` });
  }

  // Access

  publicIp(): Locator {
    return this.page.getByLabel('Your public IP', { exact: true });
  }

  /** Where the address in use came from, beside it: "typed by you" when the user gave it. */
  ipSource(): Locator {
    return this.page.getByLabel('Where your public IP came from', { exact: true });
  }

  /** The field offered when the public-IP lookup fails. */
  typedIp(): Locator {
    return this.field('Your public IP address');
  }

  /** The page's objection to what is typed in the IP field, found through the field's aria-describedby; null when it has none. */
  async typedIpError(): Promise<string | null> {
    const field = this.typedIp();
    if ((await field.getAttribute('aria-invalid')) !== 'true') return null;
    const errorId = ((await field.getAttribute('aria-describedby')) ?? '').split(' ').find((id) => id.endsWith('-error'));
    return errorId ? this.page.locator(`[id="${errorId}"]`).textContent() : null;
  }

  accessStatus(): Locator {
    return this.page.getByLabel('Access on the jump box', { exact: true });
  }

  /** The rules for the jump box port as listed, each as [address, whose]: "Yours" or "Someone else's" (issue #17). */
  async ruleOwners(port: number): Promise<Array<[string, string]>> {
    const table = this.page.getByRole('table', { name: `Rules for port ${port}`, exact: true });
    await table.waitFor();
    const rows = table.getByRole('row', { name: /^Rule / });
    const cidrs = await rows.evaluateAll((elements) => elements.map((element) => (element.getAttribute('aria-label') ?? '').replace(/^Rule /, '')));
    const whose = await rows.getByLabel('Whose rule', { exact: true }).allTextContents();
    return cidrs.map((cidr, index) => [cidr, whose[index] ?? '']);
  }

  lastChange(): Locator {
    return this.page.getByRole('status', { name: 'Last change' });
  }

  adminMessage(): Locator {
    return this.page.getByRole('textbox', { name: 'Message for your AWS administrator', exact: true });
  }

  // Rollback

  snapshotsTable(targetName: string): Locator {
    return this.page.getByRole('table', { name: `Snapshots of ${targetName}, newest first` });
  }

  async snapshotNames(targetName: string): Promise<string[]> {
    const table = this.snapshotsTable(targetName);
    await table.waitFor();
    const labels = await table.getByRole('row', { name: /^Snapshot \S+$/ }).evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''));
    return labels.map((label) => label.replace(/^Snapshot /, ''));
  }

  restoreForm(snapshot: string): Locator {
    return this.page.getByRole('form', { name: `Restore ${snapshot}` });
  }

  restoreBar(identifier: string): Locator {
    return this.page.getByRole('progressbar', { name: `Restore of ${identifier}` });
  }

  restoreStatus(identifier: string): Locator {
    return this.page.getByRole('status', { name: `Restore status of ${identifier}` });
  }

  tunnelStatus(identifier: string): Locator {
    return this.page.getByLabel(`Tunnel to ${identifier}`, { exact: true });
  }

  deleteForm(identifier: string): Locator {
    return this.page.getByRole('form', { name: `Delete ${identifier}` });
  }
}
