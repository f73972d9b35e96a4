import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../electron/core/aws/awsClients';
import { allowMyIp } from '../../electron/core/aws/ipAllowList';
import { createIamUser, startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { AwsScreensPage } from './awsScreensPage';
import { ProfilePage } from './profilePage';
import { createJumpBoxGroup } from './toolsRig';
import { startServedUi, type ServedUi } from './uiRig';

const REGION = 'eu-west-2';

/**
 * Issue #17: the jump box's security group is shared by a team. Alice (this
 * Jumpgate, her own IAM user) and Bob (another IAM user) both use the label
 * "home" under the same OS user name: Alice allowing her IP leaves Bob's rule
 * alone, and the Access tab lists which rule is hers and which is someone else's.
 */
describe.skipIf(!peersAvailable('chromium', 'moto_server'))('the Access tab on a security group shared by a team', () => {
  let ui: ServedUi;
  let moto: MotoPeer;
  let checkIp: Server;
  let groupId: string;
  let bob: AwsClients;

  const ingressRules = async () => {
    const ec2 = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: moto.credentials }).ec2();
    const answer = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
    return (answer.SecurityGroupRules ?? []).filter((rule) => !rule.IsEgress).map((rule) => ({ cidr: rule.CidrIpv4, port: rule.FromPort, description: rule.Description }));
  };

  beforeAll(async () => {
    // The "what is my IP" service, answered locally: Alice is at 81.2.3.4.
    checkIp = createServer((_request, response) => response.end('81.2.3.4\n'));
    await new Promise<void>((resolve) => checkIp.listen(0, '127.0.0.1', resolve));
    const address = checkIp.address();
    const publicIpUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    moto = await startMoto();
    const alice = await createIamUser(moto, 'alice', ['ec2:*']);
    bob = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: await createIamUser(moto, 'bob', ['ec2:*']) });
    ui = await startServedUi({ deps: { aws: { endpoint: moto.endpoint, credentials: alice }, publicIpUrl } });
    groupId = await createJumpBoxGroup(moto, 'bastion-team');
    await ui.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'team',
        name: 'Team',
        jumpHost: { host: 'bastion.internal', port: 22, user: 'ec2-user', auth: { kind: 'key', keyPath: join(ui.dir, 'id_ed25519') } },
        aws: { region: REGION, securityGroupId: groupId },
        targets: [],
      },
    });
  }, 120_000);

  afterAll(async () => {
    await ui?.dispose();
    await Promise.all([moto?.dispose(), new Promise((resolve) => checkIp?.close(resolve))]);
  });

  it("allows my IP beside a colleague's rule with the same label, and lists whose each rule is", async () => {
    // Bob, from his own address, with his own keys, the same OS user name and the same label.
    const bobs = await allowMyIp(bob, { groupId, ip: '82.2.2.2', label: 'home' });
    expect(bobs.outcome).toBe('added');

    const browserPage = await ui.browser.newPage();
    const profile = new ProfilePage(browserPage);
    const screens = new AwsScreensPage(browserPage);
    await profile.open(ui.host.url, 'Team');
    await screens.openTab('Access');
    await screens.button('Check my access').click();
    await screens.publicIp().filter({ hasText: '81.2.3.4' }).waitFor();
    expect(await screens.ruleOwners(22)).toEqual([['82.2.2.2/32', "Someone else's"]]);

    await screens.field('Rule label (optional)').fill('home');
    await screens.button('Allow my IP').click();
    await screens.lastChange().filter({ hasText: `Added 81.2.3.4/32 to ${groupId} on port 22.` }).waitFor();
    await screens.accessStatus().filter({ hasText: /^Allowed by 81\.2\.3\.4\/32/ }).waitFor();
    expect(await screens.ruleOwners(22)).toEqual([
      ['81.2.3.4/32', 'Yours'],
      ['82.2.2.2/32', "Someone else's"],
    ]);
    expect((await ingressRules()).map((rule) => rule.cidr).sort()).toEqual(['81.2.3.4/32', '82.2.2.2/32']);

    // Removing takes only mine.
    await screens.button('Remove my rule').click();
    await screens.lastChange().filter({ hasText: 'Removed your rule for 81.2.3.4/32.' }).waitFor();
    await screens.accessStatus().filter({ hasText: /^Not allowed/ }).waitFor();
    expect(await ingressRules()).toEqual([{ cidr: '82.2.2.2/32', port: 22, description: bobs.rule.description }]);
    await browserPage.close();
  }, 120_000);
});
