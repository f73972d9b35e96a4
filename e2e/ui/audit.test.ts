import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../electron/core/aws/awsClients';
import { TestClipboard } from '../rig/clipboardDouble';
import { pickPort } from '../rig/daemon';
import { startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { ProfilePage } from './profilePage';
import { AuditPage } from './toolsPage';
import { screenshot } from './screenshots';
import { createJumpBoxGroup, startPublicIpServer, type PublicIpServer } from './toolsRig';
import { startUiRig, type UiRig } from './uiRig';

const MY_IP = '81.2.3.4';
// Distinctive, so finding it anywhere is unambiguous; fresh per run.
const SECRET = `Audit-pw-${randomBytes(9).toString('base64url')}`;

/**
 * Issue #6, the audit log: a session's events (host key trusted, tunnel opened,
 * password copied, IP rule changed, tunnel closed) are listed newest first, kept
 * live while the page is open, filter by kind and text, and nowhere (page or
 * file) is the password.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen', 'moto_server'))('the audit log page', () => {
  let rig: UiRig;
  let moto: MotoPeer;
  let checkIp: PublicIpServer;
  let groupId: string;
  let localPort: number;
  const clipboard = new TestClipboard();

  beforeAll(async () => {
    [moto, checkIp] = await Promise.all([startMoto(), startPublicIpServer(MY_IP)]);
    const aws = { endpoint: moto.endpoint, credentials: moto.credentials };
    await createAwsClients({ region: 'eu-west-2' }, aws)
      .secrets()
      .send(new CreateSecretCommand({ Name: 'prod/audited', SecretString: JSON.stringify({ username: 'app', password: SECRET }) }));
    rig = await startUiRig({ deps: { aws, clipboard, publicIpUrl: checkIp.url } });
    groupId = await createJumpBoxGroup(moto, 'bastion-audit');
    localPort = await pickPort();
    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'audited',
        name: 'Audited box',
        jumpHost: { host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: rig.keyPath } },
        aws: { region: 'eu-west-2', securityGroupId: groupId },
        targets: [
          { id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: rig.echo.port }, localPort, secret: { kind: 'secrets-manager', secretId: 'prod/audited' } },
        ],
      },
    });
  }, 180_000);

  afterAll(async () => {
    await rig?.dispose();
    await Promise.all([moto?.dispose(), checkIp?.close()]);
  });

  it('lists the session newest first, live, filtered, and never with the password', async () => {
    const page = new ProfilePage(await rig.browser.newPage({ viewport: { width: 1200, height: 800 } }));
    const audit = new AuditPage(page.page);
    const jumpBox = `${rig.sshd.user}@${rig.sshd.host}:${rig.sshd.port}`;

    // A session: trust the jump box, open the tunnel, copy the password.
    await page.open(rig.host.url, 'Audited box');
    await page.connect('Echo');
    await page.trustHostKey();
    await page.waitForStatus('Echo', /^open for/);
    await page.button('Copy password for Echo').click();
    await page.clipboardBanner().filter({ hasText: 'Password for Audited box / Echo is on the clipboard.' }).waitFor();
    expect(clipboard.text).toBe(SECRET);

    await audit.open();
    expect((await audit.rows()).map((row) => row[2])).toEqual(['Password copied', 'Tunnel opened', 'Host key trusted']);
    const [copied, opened, trusted] = await audit.rows();
    expect(opened?.[3]).toBe(`Audited box / Echo: 127.0.0.1:${localPort} -> 127.0.0.1:${rig.echo.port} via ${jumpBox}`);
    expect(copied?.[3]).toMatch(/^Password for Audited box \/ Echo \(clipboard cleared at \d{4}-\d\d-\d\dT/);
    expect(trusted?.[3]).toMatch(new RegExp(`^${rig.sshd.host}:${rig.sshd.port} SHA256:`));
    expect(new Set((await audit.rows()).map((row) => row[1]))).toEqual(new Set([userInfo().username]));

    // An IP rule change arrives while the page is open (the Access tab, or the CLI's allow-ip, goes through
    // the same service): the new line shows up on top without reloading, by the audit:entry event.
    await rig.jumpgate.handlers['aws:allowMyIp']({ profileId: 'audited', label: 'laptop' });
    await audit.waitForRow(/IP allowed/);
    const [ipRow] = await audit.rows();
    expect(ipRow?.[2]).toBe('IP allowed');
    // (The port in this line is the service's wording; the rule itself is on the jump box's SSH port.)
    expect(ipRow?.[3]).toMatch(new RegExp(`^${MY_IP.replaceAll('.', '\\.')} on port \\d+ of ${groupId}: added$`));
    expect(await audit.count().textContent()).toBe('4 entries, newest first.');

    // Closing the tunnel elsewhere in the app, then coming back: the page reads the log again.
    await page.page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Audited box' }).click();
    await page.disconnect('Echo');
    await page.waitForStatus('Echo', /^stopped$/);
    await audit.open();
    expect((await audit.rows()).map((row) => row[2])).toEqual(['Tunnel closed', 'IP allowed', 'Password copied', 'Tunnel opened', 'Host key trusted']);
    expect((await audit.rows())[0]?.[3]).toBe('Audited box / Echo');
    await screenshot(page.page, 'audit');

    // Filter by kind, then by text.
    await audit.kindFilter().selectOption({ label: 'Password copied' });
    expect((await audit.rows()).map((row) => row[2])).toEqual(['Password copied']);
    expect(await audit.count().textContent()).toBe('1 of 5 entries match.');
    await audit.kindFilter().selectOption({ label: 'All kinds' });
    await audit.search().fill(groupId);
    expect((await audit.rows()).map((row) => row[2])).toEqual(['IP allowed']);
    await audit.search().fill('echo');
    expect((await audit.rows()).map((row) => row[2])).toEqual(['Tunnel closed', 'Password copied', 'Tunnel opened']);
    await audit.search().fill('');

    // The password is nowhere: not on the page (text or markup), not in the log file.
    expect(await page.page.evaluate<string>('document.body.innerText')).not.toContain(SECRET);
    expect(await page.page.content()).not.toContain(SECRET);
    const file = readFileSync(join(rig.dataDir, 'audit.log'), 'utf8');
    expect(file.trim().split('\n').map((line) => (JSON.parse(line) as { kind: string }).kind)).toEqual([
      'host-key-trusted',
      'tunnel-opened',
      'password-copied',
      'ip-allowed',
      'tunnel-closed',
    ]);
    expect(file).not.toContain(SECRET);
  });
});
