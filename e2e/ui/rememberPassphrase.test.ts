import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOsKeychain, passphraseAccount } from '../../electron/core/secrets/keychain';
import { KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { pickPort } from '../rig/daemon';
import { trustSshd } from '../rig/engine';
import { makePuttyKey } from '../rig/keys';
import { peersAvailable } from '../rig/peers';
import { SECRET_SERVICE_PEER_NAMES, secretToolLookup, startSecretService, type SecretServicePeer } from '../rig/secretService';
import { roundTrip } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';
import { saveEchoProfile, startUiRig, type UiRig } from './uiRig';

const PASSPHRASE = 'remember me, gnome-keyring';

/**
 * "Remember in the system keychain" against a real gnome-keyring: kept when the
 * keychain is open; when it is locked, the tunnel still opens and the page says
 * the passphrase was not kept, instead of losing it without a word.
 */
describe.skipIf(process.platform !== 'linux' || !peersAvailable('chromium', 'sshd', 'puttygen', ...SECRET_SERVICE_PEER_NAMES))(
  'remembering a passphrase from the UI',
  () => {
    let secrets: SecretServicePeer;
    let rig: UiRig;
    let localPort: number;
    const savedAddress = process.env.DBUS_SESSION_BUS_ADDRESS;

    beforeAll(async () => {
      secrets = await startSecretService();
      // libdbus reads the bus address once per process: set before the keychain's first call (see keychain.test.ts).
      process.env.DBUS_SESSION_BUS_ADDRESS = secrets.env.DBUS_SESSION_BUS_ADDRESS;
      rig = await startUiRig({
        deps: { keychain: createOsKeychain() },
        userKey: (dir) => makePuttyKey(dir, { type: 'ed25519', ppkVersion: 3, passphrase: PASSPHRASE }),
      });
      await trustSshd(new KnownHostsStore(join(rig.dataDir, 'known_hosts')), rig.sshd);
      localPort = await pickPort();
      await saveEchoProfile(rig, { id: 'box', name: 'Box', localPort });
    }, 120_000);

    afterAll(async () => {
      await rig?.dispose();
      await secrets?.dispose();
      if (savedAddress === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = savedAddress;
    });

    const stored = () => secretToolLookup(secrets, { service: 'jumpgate', username: passphraseAccount(rig.keyPath) });

    async function connectRemembering(page: ProfilePage): Promise<void> {
      await page.connect('Echo');
      const dialog = page.passphraseDialog();
      await dialog.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
      await dialog.getByRole('checkbox', { name: 'Remember in the system keychain' }).check();
      await dialog.getByRole('button', { name: 'Unlock and connect' }).click();
      await page.waitForStatus('Echo', /^open for/);
    }

    it('keeps the passphrase in an open keychain, and says so when a locked one refuses it while the tunnel opens anyway', async () => {
      const page = new ProfilePage(await rig.browser.newPage());
      await page.open(rig.host.url, 'Box');
      const notKept = page.page.getByRole('status').filter({ hasText: 'the passphrase was not saved in the system keychain' });

      await connectRemembering(page);
      expect(await stored()).toBe(PASSPHRASE);
      expect(await notKept.count()).toBe(0);

      // Forget it (memory and keychain), lock the keychain as a screen lock does, and connect again.
      await page.disconnect('Echo');
      await page.waitForStatus('Echo', /^stopped$/);
      expect(await rig.jumpgate.handlers['keychain:forgetPassphrase']({ keyPath: rig.keyPath })).toEqual({ deleted: true });
      await secrets.lock();
      await connectRemembering(page);
      await notKept.waitFor();
      expect(await notKept.textContent()).toMatch(/Connected, but the passphrase was not saved in the system keychain: The system keychain is unavailable.*ask for it again next time\./);
      expect(await page.page.getByRole('alert').count()).toBe(0);
      expect(await roundTrip(localPort, 'open anyway')).toBe('open anyway');
      await page.page.close();
    });
  },
);
