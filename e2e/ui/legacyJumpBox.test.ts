import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { makeOpenSshKey, type RigKey } from '../rig/keys';
import { peersAvailable } from '../rig/peers';
import { SshdPeer } from '../rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../rig/tcpPeers';
import { ProfileEditorPage } from './profileEditorPage';
import { ProfilePage } from './profilePage';
import { startServedUi, type ServedUi } from './uiRig';

/**
 * Issue #17 in the app: a jump box that speaks only ssh-rsa (SHA-1) is refused on the target's row
 * with SSH_ALGORITHM_LEGACY and where to allow it; ticking the profile editor's option for that one
 * profile and saving lets it connect.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('an old jump box that speaks only ssh-rsa, in the app', () => {
  let ui: ServedUi;
  let keyDir: string;
  let key: RigKey;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let localPort: number;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-ui-legacy-'));
    key = await makeOpenSshKey(keyDir, { type: 'rsa', format: 'openssh' });
    [ui, sshd, echo] = await Promise.all([
      startServedUi(),
      SshdPeer.start({ authorizedKeys: [key.publicKey], hostKeyTypes: ['rsa'], extraConfig: ['HostKeyAlgorithms ssh-rsa', 'PubkeyAcceptedAlgorithms ssh-rsa'] }),
      startEchoServer(),
    ]);
    for (const hostKey of sshd.hostKeys) await ui.jumpgate.handlers['hostKeys:trust']({ host: sshd.host, port: sshd.port, publicKey: hostKey.publicKey.split(' ')[1] ?? '', replace: false });
    localPort = await pickPort();
    await ui.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'old-box',
        name: 'Old box',
        jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
        targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort }],
      },
    });
  }, 120_000);

  afterAll(async () => {
    await ui?.dispose();
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('refuses with the code and the way to allow it, then connects once the profile allows ssh-rsa', async () => {
    const page = new ProfilePage(await ui.browser.newPage({ viewport: { width: 1200, height: 900 } }));
    await page.open(ui.host.url, 'Old box');
    await page.connect('Echo');
    const note = page.page.getByLabel('Error of Echo');
    await note.getByText('SSH_ALGORITHM_LEGACY').waitFor({ timeout: 20_000 });
    expect(await note.textContent()).toContain('offers only the ssh-rsa host-key algorithm');
    expect(await note.textContent()).toContain('Allow ssh-rsa (SHA-1) for this jump box');

    await page.page.getByRole('button', { name: 'Edit profile' }).click();
    const editor = new ProfileEditorPage(page.page);
    const option = editor.form().getByLabel('Allow ssh-rsa (SHA-1) for this jump box');
    expect(await option.isChecked()).toBe(false);
    await option.check();
    await editor.save();
    await page.page.getByRole('heading', { level: 2, name: 'Old box', exact: true }).waitFor();
    expect((await ui.jumpgate.handlers['profiles:list']({})).profiles.find((profile) => profile.id === 'old-box')?.options.allowSshRsaSha1).toBe(true);

    await page.connect('Echo');
    await page.waitForStatus('Echo', /^open for/);
    expect(await roundTrip(localPort, 'old box, allowed')).toBe('old box, allowed');
    await page.page.close();
  });
});
