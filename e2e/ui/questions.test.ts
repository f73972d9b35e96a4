import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { makePuttyKey } from '../rig/keys';
import { peersAvailable } from '../rig/peers';
import { roundTrip } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';
import { saveEchoProfile, startUiRig, type UiRig } from './uiRig';

const PASSPHRASE = 'putty-gen ✓ 2026';

/**
 * A question is not a failure: while Connect asks for the PuTTY key's passphrase
 * or for the user's word on a first-seen host key, the row says it is waiting
 * for the user and the profile's dot stays calm; only a cancelled or wrong
 * answer shows as failed.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'puttygen'))('the UI while a connect waits on the user', () => {
  let rig: UiRig;
  let localPort: number;

  beforeAll(async () => {
    rig = await startUiRig({ userKey: (dir) => makePuttyKey(dir, { type: 'ed25519', ppkVersion: 3, passphrase: PASSPHRASE }) });
    localPort = await pickPort();
    await saveEchoProfile(rig, { id: 'box', name: 'Box', localPort });
  }, 120_000);

  afterAll(async () => {
    await rig?.dispose();
  });

  it('shows "waiting for you" while the passphrase and host-key questions are open, and failed only when cancelled or wrong', async () => {
    const page = new ProfilePage(await rig.browser.newPage());
    await page.open(rig.host.url, 'Box');
    const dot = async (): Promise<string> => {
      const label = await page.profileButton('Box').getByLabel(/^status \w+$/).getAttribute('aria-label');
      return `${label ?? ''} ${(await page.profileButton('Box').textContent()) ?? ''}`;
    };

    await page.connect('Echo');
    await page.passphraseDialog().waitFor();
    expect(await page.waitForStatus('Echo', /^waiting for you/)).toBe("waiting for you: type the key's passphrase");
    // The sidebar dot (read first in the button's name) stays calm, not red.
    expect(await dot()).toBe('status none Box');

    // Cancelled: now it is a failure, and says why.
    await page.passphraseDialog().getByRole('button', { name: 'Cancel' }).click();
    await page.waitForStatus('Echo', /^failed: .*passphrase/);
    expect(await dot()).toBe('status failed Box');

    // Asked again; a wrong answer is a failure too (while the dialog asks once more).
    await page.connect('Echo');
    await page.unlockWith('not it');
    await page.passphraseDialog().getByText('That passphrase does not unlock the key.').waitFor();
    await page.waitForStatus('Echo', /^failed: The passphrase does not unlock/);

    // The right one: next the jump box's host key, first seen, is a question as well.
    await page.unlockWith(PASSPHRASE);
    await page.hostKeyDialog().waitFor();
    expect(await page.waitForStatus('Echo', /^waiting for you/)).toBe("waiting for you: check the jump box's fingerprint");
    expect(await dot()).toBe('status none Box');
    expect(rig.sshd.hostKeys.map((key) => key.fingerprint)).toContain(await page.trustHostKey());
    await page.waitForStatus('Echo', /^open for/);
    expect(await roundTrip(localPort, 'answered')).toBe('answered');
    await page.page.close();
  });
});
