import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2ServiceException,
  RunInstancesCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamUser, enforceIam, startMoto, type MotoPeer } from '../../../e2e/rig/moto';
import { failure } from '../../../e2e/rig/failure';
import { peersAvailable } from '../../../e2e/rig/peers';
import { createAwsClients, type AwsClients } from './awsClients';
import { whoAmI } from './identity';
import {
  allowMyIp,
  checkAccess,
  cidrContains,
  classifyAllowListError,
  findJumpBoxGroups,
  isOwnedBy,
  legacyRuleDescription,
  parseRuleDescription,
  removeMyIp,
  ruleDescription,
} from './ipAllowList';

const REGION = 'eu-west-2';
const ALICE_HOME = 'Jumpgate: alice home';


describe('cidrContains (CIDR arithmetic)', () => {
  it('matches by prefix bits, for every prefix length', () => {
    expect(cidrContains('0.0.0.0/0', '81.2.3.4')).toBe(true);
    expect(cidrContains('0.0.0.0/0', '255.255.255.255')).toBe(true);
    expect(cidrContains('81.2.3.4/32', '81.2.3.4')).toBe(true);
    expect(cidrContains('81.2.3.4/32', '81.2.3.5')).toBe(false);
    expect(cidrContains('81.2.0.0/16', '81.2.200.9')).toBe(true);
    expect(cidrContains('81.2.0.0/16', '81.3.0.1')).toBe(false);
    expect(cidrContains('81.2.3.128/25', '81.2.3.127')).toBe(false);
    expect(cidrContains('81.2.3.128/25', '81.2.3.200')).toBe(true);
    // The sign bit: a naive signed shift gets /1 wrong.
    expect(cidrContains('128.0.0.0/1', '200.1.1.1')).toBe(true);
    expect(cidrContains('128.0.0.0/1', '127.255.255.255')).toBe(false);
    // Not a string prefix match.
    expect(cidrContains('8.0.0.0/8', '81.2.3.4')).toBe(false);
    // Host bits in the network part are ignored, as EC2 canonicalises them.
    expect(cidrContains('81.2.3.99/24', '81.2.3.4')).toBe(true);
  });

  it('is false for malformed input', () => {
    for (const cidr of ['81.2.3.4', '81.2.3.4/33', '81.2.3.4/-1', '81.2.3.4/08', '81.2.3/24', '81.2.3.4/24/1', '::/0', '']) {
      expect(cidrContains(cidr, '81.2.3.4'), cidr).toBe(false);
    }
    expect(cidrContains('0.0.0.0/0', 'not-an-ip')).toBe(false);
  });
});

describe('legacyRuleDescription (before issue #17)', () => {
  it('is "Jumpgate: <user> <label>" with characters EC2 refuses replaced', () => {
    expect(legacyRuleDescription({ user: 'alice', label: 'home' })).toBe(ALICE_HOME);
    expect(legacyRuleDescription({ user: 'CORP\\józef', label: 'office' })).toBe('Jumpgate: CORP_j_zef office');
    expect(legacyRuleDescription({ user: 'alice' })).toMatch(/^Jumpgate: alice \S+$/);
  });
});

describe('ruleDescription (issue #17: who made the rule)', () => {
  it('is "Jumpgate: <os user> <label> [<caller>]", parsed back, within EC2\'s alphabet and length', () => {
    const alice = { user: 'alice', caller: 'AROAEXAMPLEROLEID:alice@example.com' };
    const description = ruleDescription(alice, 'home office');
    expect(description).toBe('Jumpgate: alice home office [AROAEXAMPLEROLEID:alice@example.com]');
    expect(parseRuleDescription(description)).toEqual({ ...alice, label: 'home office' });
    expect(isOwnedBy(description, alice)).toBe(true);
    // A colleague with the same OS user name and label, under another AWS identity.
    expect(isOwnedBy(description, { user: 'alice', caller: 'AROAEXAMPLEROLEID:bob@example.com' })).toBe(false);
    expect(isOwnedBy(ALICE_HOME, alice)).toBe(false);
    expect(isOwnedBy(undefined, alice)).toBe(false);

    const long = ruleDescription({ user: 'u'.repeat(64), caller: 'c'.repeat(128) }, 'l'.repeat(40));
    expect(long.length).toBeLessThanOrEqual(255);
    expect(long).toMatch(/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/);
  });
});

describe('classifyAllowListError with the exception real EC2 throws', () => {
  // moto (with IAM enforcement) denies EC2 calls as "AccessDenied"; real EC2
  // says "UnauthorizedOperation". This is a real SDK exception instance.
  it('maps UnauthorizedOperation to AWS_ACCESS_DENIED with the forwardable hint', () => {
    const denied = new EC2ServiceException({
      name: 'UnauthorizedOperation',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'You are not authorized to perform this operation. Encoded authorization failure message: abc',
    });
    const hint = 'Ask your AWS administrator to allow 81.2.3.4/32 on TCP 22 in sg-0abc12345 (Jumpgate: alice home).';
    const error = classifyAllowListError(denied, {
      action: 'ec2:AuthorizeSecurityGroupIngress',
      scope: { region: REGION, profile: 'prod' },
      resource: 'security group sg-0abc12345',
      deniedHint: hint,
    });
    expect(error.code).toBe('AWS_ACCESS_DENIED');
    expect(error.hint).toBe(hint);
    expect(error.message).toContain('ec2:AuthorizeSecurityGroupIngress');
  });

  it('maps a missing group to AWS_NOT_FOUND', () => {
    const missing = new EC2ServiceException({ name: 'InvalidGroup.NotFound', $fault: 'client', $metadata: {}, message: 'gone' });
    const error = classifyAllowListError(missing, {
      action: 'ec2:AuthorizeSecurityGroupIngress',
      scope: { region: REGION },
      resource: 'security group sg-0abc12345',
      deniedHint: 'unused',
    });
    expect(error.code).toBe('AWS_NOT_FOUND');
    expect(error.message).toContain('sg-0abc12345');
  });
});

describe.skipIf(!peersAvailable('moto_server'))('IP allow-listing against moto', () => {
  let moto: MotoPeer;
  let clients: AwsClients;
  let groupCount = 0;

  beforeAll(async () => {
    moto = await startMoto();
    clients = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: moto.credentials });
  });
  afterAll(async () => {
    await moto?.dispose();
  });

  /** A fresh security group, optionally with ingress rules, seeded through the SDK. */
  async function newGroup(permissions: IpPermission[] = []): Promise<string> {
    groupCount += 1;
    const created = await clients.ec2().send(new CreateSecurityGroupCommand({ GroupName: `jump-${groupCount}`, Description: 'jump box' }));
    const groupId = created.GroupId ?? '';
    for (const permission of permissions) {
      await clients.ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }));
    }
    return groupId;
  }

  function ssh(cidr: string, description?: string): IpPermission {
    return { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: cidr, ...(description ? { Description: description } : {}) }] };
  }

  async function ingress(groupId: string) {
    const answer = await clients.ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
    return (answer.SecurityGroupRules ?? [])
      .filter((rule) => !rule.IsEgress)
      .map((rule) => ({ cidr: rule.CidrIpv4, description: rule.Description, protocol: rule.IpProtocol, from: rule.FromPort, to: rule.ToPort }));
  }

  it('IP absent: reported not allowed, then added, then reported allowed', async () => {
    const groupId = await newGroup([ssh('10.0.0.0/8', 'office VPN')]);
    await expect(checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' })).resolves.toEqual({
      allowed: false,
      checkedGroupIds: [groupId],
      rules: [expect.objectContaining({ cidr: '10.0.0.0/8', description: 'office VPN', yours: false })],
    });

    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', description: ALICE_HOME });
    expect(result.outcome).toBe('added');
    expect(result.revoked).toEqual([]);
    expect(result.rule).toMatchObject({ groupId, cidr: '81.2.3.4/32', description: ALICE_HOME, protocol: 'tcp', fromPort: 22, toPort: 22 });
    expect(result.rule.ruleId).toMatch(/^sgr-/);

    const check = await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' });
    expect(check.allowed).toBe(true);
    expect(check.matchingRule).toMatchObject({ groupId, cidr: '81.2.3.4/32', description: ALICE_HOME });
    expect(await ingress(groupId)).toContainEqual({ cidr: '81.2.3.4/32', description: ALICE_HOME, protocol: 'tcp', from: 22, to: 22 });
  });

  it('same description with an old IP: replaced, exactly one rule with it left, others untouched', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME), ssh('81.2.3.7/32', 'Jumpgate: bob home'), ssh('10.0.0.0/8')]);

    const result = await allowMyIp(clients, { groupId, ip: '81.9.9.9', description: ALICE_HOME });
    expect(result.outcome).toBe('replaced');
    expect(result.rule).toMatchObject({ cidr: '81.9.9.9/32', description: ALICE_HOME });
    expect(result.revoked).toEqual([expect.objectContaining({ cidr: '81.2.3.4/32', description: ALICE_HOME })]);

    const rules = await ingress(groupId);
    expect(rules.filter((rule) => rule.description === ALICE_HOME)).toEqual([
      { cidr: '81.9.9.9/32', description: ALICE_HOME, protocol: 'tcp', from: 22, to: 22 },
    ]);
    expect(rules).toContainEqual({ cidr: '81.2.3.7/32', description: 'Jumpgate: bob home', protocol: 'tcp', from: 22, to: 22 });
    expect(rules).toContainEqual(expect.objectContaining({ cidr: '10.0.0.0/8' }));
    expect(rules).toHaveLength(3);
    expect((await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' })).allowed).toBe(false);
  });

  it('IP present under the description: reported allowed, allowing again changes nothing', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME)]);
    const before = await ingress(groupId);

    const check = await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' });
    expect(check).toMatchObject({ allowed: true, matchingRule: { cidr: '81.2.3.4/32', description: ALICE_HOME } });

    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', description: ALICE_HOME });
    expect(result.outcome).toBe('unchanged');
    expect(result.revoked).toEqual([]);
    expect(await ingress(groupId)).toEqual(before);
  });

  it('two leftover rules with the description: keeps the right one, revokes the other', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME), ssh('81.5.5.5/32', ALICE_HOME)]);
    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', description: ALICE_HOME });
    expect(result.outcome).toBe('replaced');
    expect(result.revoked.map((rule) => rule.cidr)).toEqual(['81.5.5.5/32']);
    expect((await ingress(groupId)).filter((rule) => rule.description === ALICE_HOME).map((rule) => rule.cidr)).toEqual(['81.2.3.4/32']);
  });

  it('the same IP already allowed under another description: no duplicate rule', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', 'added by the admin')]);
    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', description: ALICE_HOME });
    expect(result.outcome).toBe('covered');
    expect(result.rule).toMatchObject({ cidr: '81.2.3.4/32', description: 'added by the admin' });
    expect(await ingress(groupId)).toHaveLength(1);
  });

  it('0.0.0.0/0, wider CIDRs, port ranges and all-traffic rules count as allowed', async () => {
    const open = await newGroup([ssh('0.0.0.0/0', 'open to the world')]);
    expect(await checkAccess(clients, { groupIds: [open], ip: '81.2.3.4' })).toMatchObject({
      allowed: true,
      matchingRule: { cidr: '0.0.0.0/0', description: 'open to the world' },
    });

    const wide = await newGroup([{ IpProtocol: 'tcp', FromPort: 0, ToPort: 1024, IpRanges: [{ CidrIp: '81.0.0.0/8' }] }]);
    expect(await checkAccess(clients, { groupIds: [wide], ip: '81.2.3.4' })).toMatchObject({ allowed: true, matchingRule: { cidr: '81.0.0.0/8' } });
    expect((await checkAccess(clients, { groupIds: [wide], ip: '82.2.3.4' })).allowed).toBe(false);

    const everything = await newGroup([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '81.2.0.0/16', Description: 'all traffic' }] }]);
    expect(await checkAccess(clients, { groupIds: [everything], ip: '81.2.3.4' })).toMatchObject({
      allowed: true,
      matchingRule: { cidr: '81.2.0.0/16', protocol: '-1' },
    });

    // The most specific rule is the one reported.
    expect((await checkAccess(clients, { groupIds: [open, everything], ip: '81.2.3.4' })).matchingRule?.cidr).toBe('81.2.0.0/16');
  });

  it('rules for another port or protocol, and egress rules, do not count', async () => {
    const groupId = await newGroup([
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'udp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'tcp', FromPort: 2222, ToPort: 2222, IpRanges: [{ CidrIp: '81.2.3.4/32' }] },
    ]);
    // Every new group has an all-traffic egress rule to 0.0.0.0/0.
    expect((await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' })).allowed).toBe(false);
    expect((await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4', port: 2222 })).allowed).toBe(true);
  });

  it('removes only the rules with the description, on request', async () => {
    const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME), ssh('81.2.3.7/32', 'Jumpgate: bob home')]);
    const removed = await removeMyIp(clients, { groupId, description: ALICE_HOME });
    expect(removed.revoked).toEqual([expect.objectContaining({ cidr: '81.2.3.4/32', description: ALICE_HOME })]);
    expect(await ingress(groupId)).toEqual([{ cidr: '81.2.3.7/32', description: 'Jumpgate: bob home', protocol: 'tcp', from: 22, to: 22 }]);
    expect((await checkAccess(clients, { groupIds: [groupId], ip: '81.2.3.4' })).allowed).toBe(false);
    // Nothing left to remove is not an error.
    await expect(removeMyIp(clients, { groupId, description: ALICE_HOME })).resolves.toEqual({ revoked: [] });
  });

  it('uses "Jumpgate: <os user> <label> [<STS user id>]" when no description is given', async () => {
    const groupId = await newGroup();
    const result = await allowMyIp(clients, { groupId, ip: '81.2.3.4', label: 'home' });
    // moto's answer to GetCallerIdentity for keys it did not issue.
    expect(result.rule.description).toBe(`Jumpgate: ${userInfo().username} home [AKIAIOSFODNN7EXAMPLE]`);
    await removeMyIp(clients, { groupId, label: 'home' });
    expect(await ingress(groupId)).toEqual([]);
  });

  it("finds the jump box's security groups from its instance id", async () => {
    const first = await newGroup();
    const second = await newGroup();
    const images = await clients.ec2().send(new DescribeImagesCommand({}));
    const run = await clients.ec2().send(
      new RunInstancesCommand({ ImageId: images.Images?.[0]?.ImageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SecurityGroupIds: [first, second] }),
    );
    const instanceId = run.Instances?.[0]?.InstanceId ?? '';
    expect((await findJumpBoxGroups(clients, { instanceId })).sort()).toEqual([first, second].sort());
    expect(await findJumpBoxGroups(clients, { groupId: first })).toEqual([first]);

    const missing = await failure(findJumpBoxGroups(clients, { instanceId: 'i-0123456789abcdef0' }));
    expect(missing.code).toBe('AWS_NOT_FOUND');
    expect(missing.message).toContain('i-0123456789abcdef0');
    expect((await failure(findJumpBoxGroups(clients, { instanceId: 'jump-box' }))).code).toBe('BAD_REQUEST');
  });

  it('an unknown security group is AWS_NOT_FOUND, not "not allowed"', async () => {
    const error = await failure(checkAccess(clients, { groupIds: ['sg-0123456789abcdef0'], ip: '81.2.3.4' }));
    expect(error.code).toBe('AWS_NOT_FOUND');
    expect(error.message).toContain('sg-0123456789abcdef0');
    expect((await failure(allowMyIp(clients, { groupId: 'sg-0123456789abcdef0', ip: '81.2.3.4', description: ALICE_HOME }))).code).toBe('AWS_NOT_FOUND');
  });

  it('refuses bad input before calling AWS', async () => {
    const groupId = await newGroup();
    expect((await failure(allowMyIp(clients, { groupId, ip: '81.2.3', description: ALICE_HOME }))).code).toBe('BAD_REQUEST');
    expect((await failure(allowMyIp(clients, { groupId: 'jump', ip: '81.2.3.4', description: ALICE_HOME }))).code).toBe('BAD_REQUEST');
    const description = await failure(allowMyIp(clients, { groupId, ip: '81.2.3.4', description: 'Jumpgate: <alice>' }));
    expect(description.code).toBe('BAD_REQUEST');
    expect(description.hint).toContain('255');
    expect(await ingress(groupId)).toEqual([]);
  });

  describe('a security group shared by a team (issue #17)', () => {
    // Two colleagues, each with their own IAM user and keys, on one computer account name and one label:
    // the OS user is this test's, the label "home" for both, so only the AWS identity tells them apart.
    let alice: AwsClients;
    let bob: AwsClients;
    const osUser = userInfo().username;
    /** The description each one's rule must carry: their STS user id (AIDA... in AWS; moto makes its own) after OS user and label. */
    const described = new Map<AwsClients, string>();
    const ownedBy = (who: AwsClients) => described.get(who);

    beforeAll(async () => {
      const keysOf = async (name: string) => createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: await createIamUser(moto, name, ['ec2:*']) });
      [alice, bob] = [await keysOf('team-alice'), await keysOf('team-bob')];
      for (const who of [alice, bob]) described.set(who, `Jumpgate: ${osUser} home [${(await whoAmI(who)).userId}]`);
      expect(described.get(alice)).not.toBe(described.get(bob));
    });

    const descriptionOf = async (groupId: string, cidr: string, port = 22) =>
      (await ingress(groupId)).find((rule) => rule.cidr === cidr && rule.from === port)?.description;

    it('same OS user and label from two identities: both rules stay; each replaces only its own', async () => {
      const groupId = await newGroup();
      expect((await allowMyIp(alice, { groupId, ip: '81.1.1.1', label: 'home' })).outcome).toBe('added');
      const bobs = await allowMyIp(bob, { groupId, ip: '82.2.2.2', label: 'home' });
      expect(bobs.outcome).toBe('added');
      expect(bobs.revoked).toEqual([]);
      const aliceRule = await descriptionOf(groupId, '81.1.1.1/32');
      const bobRule = await descriptionOf(groupId, '82.2.2.2/32');
      expect(aliceRule).toBe(ownedBy(alice));
      expect(bobRule).toBe(ownedBy(bob));

      // Alice's address changes: her rule is replaced, Bob's is not touched.
      const moved = await allowMyIp(alice, { groupId, ip: '81.1.1.9', label: 'home' });
      expect(moved.outcome).toBe('replaced');
      expect(moved.revoked.map((rule) => rule.cidr)).toEqual(['81.1.1.1/32']);
      expect(await ingress(groupId)).toEqual(
        expect.arrayContaining([
          { cidr: '81.1.1.9/32', description: aliceRule, protocol: 'tcp', from: 22, to: 22 },
          { cidr: '82.2.2.2/32', description: bobRule, protocol: 'tcp', from: 22, to: 22 },
        ]),
      );
      expect(await ingress(groupId)).toHaveLength(2);

      // Each sees which rule is theirs.
      const seenByAlice = await checkAccess(alice, { groupIds: [groupId], ip: '81.1.1.9' });
      expect(seenByAlice.rules.map((rule) => [rule.cidr, rule.yours])).toEqual([
        ['81.1.1.9/32', true],
        ['82.2.2.2/32', false],
      ]);
      const seenByBob = await checkAccess(bob, { groupIds: [groupId], ip: '82.2.2.2' });
      expect(seenByBob.rules.map((rule) => [rule.cidr, rule.yours])).toEqual([
        ['81.1.1.9/32', false],
        ['82.2.2.2/32', true],
      ]);
    });

    it('a second port (another profile on the same group) keeps the first; remove takes only my rule on that port', async () => {
      const groupId = await newGroup();
      await allowMyIp(alice, { groupId, ip: '81.1.1.1', label: 'home' });
      await allowMyIp(bob, { groupId, ip: '82.2.2.2', label: 'home' });
      const second = await allowMyIp(alice, { groupId, ip: '81.1.1.1', label: 'home', port: 2222 });
      expect(second.outcome).toBe('added');
      expect(second.revoked).toEqual([]);
      expect((await ingress(groupId)).map((rule) => `${rule.cidr}:${rule.from}`).sort()).toEqual(['81.1.1.1/32:22', '81.1.1.1/32:2222', '82.2.2.2/32:22']);
      // The address changes for the port-2222 profile only: its rule moves, port 22 keeps the old address.
      expect((await allowMyIp(alice, { groupId, ip: '81.1.1.5', label: 'home', port: 2222 })).revoked.map((rule) => `${rule.cidr}:${rule.fromPort}`)).toEqual([
        '81.1.1.1/32:2222',
      ]);

      const removed = await removeMyIp(alice, { groupId, label: 'home', port: 22 });
      expect(removed.revoked.map((rule) => `${rule.cidr}:${rule.fromPort}`)).toEqual(['81.1.1.1/32:22']);
      expect((await ingress(groupId)).map((rule) => `${rule.cidr}:${rule.from}`).sort()).toEqual(['81.1.1.5/32:2222', '82.2.2.2/32:22']);
      // Bob's remove does not see Alice's rule on 2222 either.
      expect((await removeMyIp(bob, { groupId, label: 'home', port: 2222 })).revoked).toEqual([]);
      expect(await ingress(groupId)).toHaveLength(2);
    });

    it("migrates an older Jumpgate's rule only when it holds the caller's current address; a same-looking rule elsewhere is left alone", async () => {
      const legacy = `Jumpgate: ${osUser} home`;
      // Both rules say "Jumpgate: <os user> home": one at Alice's address, one at an address that may be a colleague's.
      const groupId = await newGroup([ssh('81.1.1.1/32', legacy), ssh('82.2.2.2/32', legacy)]);
      const before = await clients.ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
      const legacyId = before.SecurityGroupRules?.find((rule) => rule.CidrIpv4 === '81.1.1.1/32')?.SecurityGroupRuleId;

      const result = await allowMyIp(alice, { groupId, ip: '81.1.1.1', label: 'home' });
      expect(result.outcome).toBe('unchanged');
      expect(result.revoked).toEqual([]);
      expect(result.migrated).toMatchObject({ cidr: '81.1.1.1/32', description: legacy });
      expect(result.rule).toMatchObject({ cidr: '81.1.1.1/32', ruleId: legacyId });
      expect(result.rule.description).toBe(ownedBy(alice));
      // Relabelled in place (same rule id: access never lapsed); the other one untouched.
      const after = await ingress(groupId);
      expect(after).toEqual(
        expect.arrayContaining([
          { cidr: '81.1.1.1/32', description: result.rule.description, protocol: 'tcp', from: 22, to: 22 },
          { cidr: '82.2.2.2/32', description: legacy, protocol: 'tcp', from: 22, to: 22 },
        ]),
      );
      expect(after).toHaveLength(2);

      // Alice moves: her (now migrated) rule is replaced; the old-format rule at the other address still stays, shown as not hers.
      const moved = await allowMyIp(alice, { groupId, ip: '81.1.1.9', label: 'home' });
      expect(moved.outcome).toBe('replaced');
      expect(moved.revoked.map((rule) => rule.cidr)).toEqual(['81.1.1.1/32']);
      expect((await ingress(groupId)).map((rule) => rule.cidr).sort()).toEqual(['81.1.1.9/32', '82.2.2.2/32']);
      expect((await checkAccess(alice, { groupIds: [groupId], ip: '81.1.1.9' })).rules.map((rule) => [rule.cidr, rule.yours])).toEqual([
        ['81.1.1.9/32', true],
        ['82.2.2.2/32', false],
      ]);
      // Removing never takes an old-format rule (it carries no identity).
      expect((await removeMyIp(alice, { groupId, label: 'home' })).revoked.map((rule) => rule.cidr)).toEqual(['81.1.1.9/32']);
      expect(await ingress(groupId)).toEqual([{ cidr: '82.2.2.2/32', description: legacy, protocol: 'tcp', from: 22, to: 22 }]);
    });
  });

  describe('with IAM enforced by moto', () => {
    // moto checks IAM policies when its auth is switched on (moto-api/reset-auth).
    it('a denied change is AWS_ACCESS_DENIED whose hint names the exact IP and group', async () => {
      const groupId = await newGroup([ssh('81.2.3.4/32', ALICE_HOME)]);
      const { accessKeyId, secretAccessKey } = await createIamUser(moto, 'alice', ['ec2:Describe*']);
      const alice = createAwsClients({ region: REGION, profile: 'prod' }, { endpoint: moto.endpoint, credentials: { accessKeyId, secretAccessKey } });

      await enforceIam(moto, true);
      try {
        // Reading is allowed...
        expect((await checkAccess(alice, { groupIds: [groupId], ip: '81.9.9.9' })).allowed).toBe(false);
        // ...changing is not.
        const denied = await failure(allowMyIp(alice, { groupId, ip: '81.9.9.9', description: ALICE_HOME }));
        expect(denied.code).toBe('AWS_ACCESS_DENIED');
        expect(denied.hint).toBe(`Ask your AWS administrator to allow 81.9.9.9/32 on TCP 22 in ${groupId} (Jumpgate: alice home).`);
        expect(denied.message).toContain('ec2:AuthorizeSecurityGroupIngress');

        const removal = await failure(removeMyIp(alice, { groupId, description: ALICE_HOME }));
        expect(removal.code).toBe('AWS_ACCESS_DENIED');
        expect(removal.hint).toContain(`remove the rule "Jumpgate: alice home" (81.2.3.4/32 on TCP 22) from ${groupId}`);
      } finally {
        await enforceIam(moto, false);
      }
      // Nothing changed.
      expect((await ingress(groupId)).map((rule) => rule.cidr)).toEqual(['81.2.3.4/32']);
    });
  });
});
