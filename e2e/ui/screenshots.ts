import type { Page } from 'playwright-core';

/** UPDATE_SCREENSHOTS=1 refreshes the README's pictures; otherwise nothing is written to the repo. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}
