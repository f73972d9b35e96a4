import { DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../electron/core/aws/awsClients';
import { startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { AwsScreensPage } from './awsScreensPage';
import { ProfilePage } from './profilePage';
import { createJumpBoxGroup, startBrokenPublicIpServer } from './toolsRig';
import { startServedUi, type ServedUi } from './uiRig';

/** The jump box's SSH port: not 22, so the rule is seen to follow the profile. */
const SSH_PORT = 2222;

/**
 * Issue #13: when the public-IP lookup fails (here a proxy answering HTTP 502
 * with an HTML page), the Access tab says which URL failed and lets the user
 * type their public IP, checked in the page and again by the service; with it,
 * allow, check and remove work against the jump box's security group in moto.
 */
describe.skipIf(!peersAvailable('chromium', 'moto_server'))('the Access tab with a typed public IP', () => {
  let ui: ServedUi;
  let moto: MotoPeer;
  let broken: Awaited<ReturnType<typeof startBrokenPublicIpServer>>;
  let groupId: string;

  const ingressRules = async () => {
    const ec2 = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials }).ec2();
    const answer = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
    return (answer.SecurityGroupRules ?? [])
      .filter((rule) => !rule.IsEgress)
      .map((rule) => ({ cidr: rule.CidrIpv4, protocol: rule.IpProtocol, from: rule.FromPort, to: rule.ToPort, description: rule.Description }));
  };

  beforeAll(async () => {
    [moto, broken] = await Promise.all([startMoto(), startBrokenPublicIpServer(502)]);
    ui = await startServedUi({ deps: { aws: { endpoint: moto.endpoint, credentials: moto.credentials }, publicIpUrl: broken.url } });
    groupId = await createJumpBoxGroup(moto, 'bastion-typed-ip');
    await ui.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'office',
        name: 'Office',
        jumpHost: { host: 'bastion.internal', port: SSH_PORT, user: 'ec2-user', auth: { kind: 'key', keyPath: join(ui.dir, 'id_ed25519') } },
        aws: { region: 'eu-west-2', securityGroupId: groupId },
        targets: [],
      },
    });
  }, 120_000);

  afterAll(async () => {
    await ui?.dispose();
    await Promise.all([moto?.dispose(), broken?.close()]);
  });

  it('names the failed URL, refuses a private address, and allows, checks and removes a typed public one', async () => {
    const browserPage = await ui.browser.newPage();
    const profile = new ProfilePage(browserPage);
    const screens = new AwsScreensPage(browserPage);
    await profile.open(ui.host.url, 'Office');
    await screens.openTab('Access');

    // The lookup fails: the page says which URL was asked and what it answered.
    await screens.button('Check my access').click();
    const failed = browserPage.getByRole('alert').filter({ hasText: 'PUBLIC_IP_UNKNOWN' });
    await failed.waitFor();
    expect(await failed.textContent()).toContain(`The public-IP service at ${broken.url} answered HTTP 502.`);
    expect(await failed.textContent()).not.toContain('Settings');

    // A private address is refused in the page, with why, and nothing can be sent.
    const typed = screens.typedIp();
    await typed.fill('10.0.0.5');
    await expect.poll(() => screens.typedIpError()).toBe('10.0.0.5 is a private address, not the one AWS sees: type your public IPv4 address.');
    expect(await screens.button('Allow my IP').isDisabled()).toBe(true);
    expect(await screens.button('Check my access').isDisabled()).toBe(true);
    await typed.press('Enter');
    expect(await ingressRules()).toEqual([]);

    // A public address: allowed on the jump box's SSH port, then checked, then removed.
    await typed.fill('81.2.3.77');
    await expect.poll(() => screens.typedIpError()).toBeNull();
    await screens.button('Allow my IP').click();
    await screens.lastChange().filter({ hasText: `Added 81.2.3.77/32 to ${groupId} on port ${SSH_PORT}.` }).waitFor();
    await screens.accessStatus().filter({ hasText: /^Allowed by 81\.2\.3\.77\/32 \(“Jumpgate: .+”\)/ }).waitFor();
    expect(await screens.publicIp().textContent()).toBe('81.2.3.77');
    expect(await screens.ipSource().textContent()).toBe('typed by you');
    expect(await ingressRules()).toEqual([{ cidr: '81.2.3.77/32', protocol: 'tcp', from: SSH_PORT, to: SSH_PORT, description: expect.stringMatching(/^Jumpgate: /) }]);

    await screens.button('Check my access').click();
    await screens.lastChange().waitFor({ state: 'detached' });
    await expect.poll(() => screens.button('Check my access').isEnabled()).toBe(true);
    expect(await screens.accessStatus().textContent()).toMatch(/^Allowed by 81\.2\.3\.77\/32/);

    await screens.button('Remove my rule').click();
    await screens.lastChange().filter({ hasText: 'Removed your rule for 81.2.3.77/32.' }).waitFor();
    await screens.accessStatus().filter({ hasText: 'Not allowed: no rule lets 81.2.3.77 reach port 2222' }).waitFor();
    expect(await ingressRules()).toEqual([]);

    // The audit trail says where the address came from.
    const audit = await ui.jumpgate.handlers['audit:list']({});
    expect(audit.filter((entry) => entry.kind === 'ip-allowed').map((entry) => entry.detail)).toEqual([
      `81.2.3.77 (given by the user) on port ${SSH_PORT} of ${groupId}: added`,
    ]);

    // A typed address goes stale: it lives only in this page, never in its storage or the service's files.
    expect(await browserPage.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).not.toContain('81.2.3.77');
    for (const file of ['profiles.json', 'settings.json']) {
      let text = '';
      try {
        text = readFileSync(join(ui.dataDir, file), 'utf8');
      } catch {
        // not written at all
      }
      expect(text, file).not.toContain('81.2.3.77');
    }
    await browserPage.reload();
    await profile.profileButton('Office').click();
    await screens.openTab('Access');
    expect(await screens.typedIp().count()).toBe(0);
    await browserPage.close();
  }, 120_000);
});
