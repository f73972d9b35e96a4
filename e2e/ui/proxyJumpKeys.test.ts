import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { makeOpenSshKey, makePuttyKey, type RigKey } from '../rig/keys';
import { peersAvailable } from '../rig/peers';
import { proxyJumpProfile } from '../rig/proxyJumpRoute';
import { SshdPeer } from '../rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';
import { startServedUi, type ServedUi } from './uiRig';

/**
 * Issue #17 in the app: a ProxyJump route whose outer hop has its own encrypted key. Connect's
 * passphrase dialog names the outer key first, then the jump host's, and each answer unlocks the
 * key it named (before, the outer key's question could never be answered).
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen', 'puttygen'))('the passphrase dialog along a ProxyJump route', () => {
  let ui: ServedUi;
  let keyDir: string;
  let outerKey: RigKey;
  let innerKey: RigKey;
  let outer: SshdPeer;
  let inner: SshdPeer;
  let echo: TcpPeer;
  let localPort: number;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-ui-hops-'));
    [outerKey, innerKey] = await Promise.all([
      makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh', passphrase: 'outer words' }),
      makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 3, passphrase: 'inner words' }),
    ]);
    [ui, outer, inner, echo] = await Promise.all([
      startServedUi(),
      SshdPeer.start({ authorizedKeys: [outerKey.publicKey] }),
      SshdPeer.start({ authorizedKeys: [innerKey.publicKey] }),
      startEchoServer(),
    ]);
    for (const sshd of [outer, inner]) {
      for (const hostKey of sshd.hostKeys) await ui.jumpgate.handlers['hostKeys:trust']({ host: sshd.host, port: sshd.port, publicKey: hostKey.publicKey.split(' ')[1] ?? '', replace: false });
    }
    localPort = await pickPort();
    await ui.jumpgate.handlers['profiles:save']({
      profile: proxyJumpProfile({ outer, outerKeyPath: outerKey.privatePath, inner, innerKeyPath: innerKey.privatePath, echoPort: echo.port, localPort }),
    });
  }, 120_000);

  afterAll(async () => {
    await ui?.dispose();
    await Promise.all([outer?.dispose(), inner?.dispose(), echo?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('asks for the outer hop key by its path, then the jump host key, and opens', async () => {
    const page = new ProfilePage(await ui.browser.newPage());
    await page.open(ui.host.url, 'Chain');
    await page.connect('Echo');
    const keyNamed = () => page.passphraseDialog().locator('code');
    await page.passphraseDialog().waitFor();
    expect(await keyNamed().textContent()).toBe(outerKey.privatePath);
    await page.unlockWith('outer words');
    await page.passphraseDialog().locator('code', { hasText: innerKey.privatePath }).waitFor({ timeout: 30_000 });
    await page.unlockWith('inner words');
    await page.waitForStatus('Echo', /^open for/);
    expect(await page.passphraseDialog().count()).toBe(0);
    expect(await roundTrip(localPort, 'from the page, two hops')).toBe('from the page, two hops');
    await page.page.close();
  });
});
