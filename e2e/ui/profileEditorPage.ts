import type { Locator, Page } from 'playwright-core';

export interface TargetFields {
  name: string;
  localPort?: number;
  remoteHost: string;
  remotePort: number;
  database?: string;
  username?: string;
  secretId?: string;
}

/** The new/edit profile form, driven through its labels as a user (or a screen reader) would. */
export class ProfileEditorPage {
  constructor(readonly page: Page) {}

  form(): Locator {
    return this.page.getByRole('form', { name: /^(New profile|Edit )/ });
  }

  async fillJumpBox(fields: { name: string; host: string; port: number; user: string; keyPath: string }): Promise<void> {
    const form = this.form();
    await form.getByLabel('Profile name', { exact: true }).fill(fields.name);
    await form.getByLabel('Jump host', { exact: true }).fill(fields.host);
    await form.getByLabel('SSH port', { exact: true }).fill(String(fields.port));
    await form.getByLabel('SSH user', { exact: true }).fill(fields.user);
    await form.getByRole('radio', { name: 'Private key file' }).check();
    await form.getByLabel('Private key path', { exact: true }).fill(fields.keyPath);
  }

  /** The profile's AWS settings: the region, and the security group that guards the jump box's SSH port. */
  async fillAws(fields: { region?: string; securityGroupId?: string }): Promise<void> {
    const form = this.form();
    if (fields.region !== undefined) await form.getByLabel('AWS region', { exact: true }).fill(fields.region);
    if (fields.securityGroupId !== undefined) await form.getByLabel('Jump box security group', { exact: true }).fill(fields.securityGroupId);
  }

  /** Remove every target from the form (the example profile's placeholders, say). */
  async removeAllTargets(): Promise<void> {
    const form = this.form();
    while ((await form.getByRole('group', { name: /^Target \d+$/ }).count()) > 0) await form.getByRole('button', { name: 'Remove target 1', exact: true }).click();
  }

  /** Adds a target of the engine's family and returns its fieldset, e.g. "Target 2". */
  async addTarget(family: 'MySQL' | 'PostgreSQL'): Promise<Locator> {
    const form = this.form();
    const before = await form.getByRole('group', { name: /^Target \d+$/ }).count();
    await form.getByRole('button', { name: `Add ${family} target` }).click();
    return this.target(before + 1);
  }

  target(index: number): Locator {
    return this.form().getByRole('group', { name: `Target ${index}`, exact: true });
  }

  async fillTarget(group: Locator, fields: TargetFields): Promise<void> {
    await group.getByLabel('Target name', { exact: true }).fill(fields.name);
    if (fields.localPort !== undefined) await group.getByLabel('Local port', { exact: true }).fill(String(fields.localPort));
    await group.getByLabel('Remote host', { exact: true }).fill(fields.remoteHost);
    await group.getByLabel('Remote port', { exact: true }).fill(String(fields.remotePort));
    if (fields.database) await group.getByLabel('Database name', { exact: true }).fill(fields.database);
    if (fields.username) await group.getByLabel('Database user', { exact: true }).fill(fields.username);
    if (fields.secretId) {
      await group.getByLabel('Password source', { exact: true }).selectOption('secrets-manager');
      await group.getByLabel('Secret id', { exact: true }).fill(fields.secretId);
    }
  }

  save(): Promise<void> {
    return this.form().getByRole('button', { name: 'Save profile' }).click();
  }

  /** The error shown under a field, found through the field's aria-describedby. */
  async fieldError(scope: Locator, label: string): Promise<string | null> {
    const field = scope.getByLabel(label, { exact: true });
    if ((await field.getAttribute('aria-invalid')) !== 'true') return null;
    const ids = (await field.getAttribute('aria-describedby')) ?? '';
    const errorId = ids.split(' ').find((id) => id.endsWith('-error'));
    return errorId ? this.page.locator(`[id="${errorId}"]`).textContent() : null;
  }
}
