import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../e2e/rig/cliProcess';
import { createIamUser, startMoto, type MotoPeer } from '../../e2e/rig/moto';
import { peersAvailable } from '../../e2e/rig/peers';
import { createJumpBoxGroup, startBrokenPublicIpServer } from '../../e2e/ui/toolsRig';
import { createAwsClients } from '../core/aws/awsClients';
import { allowMyIp } from '../core/aws/ipAllowList';
import { ProfileStore } from '../core/profiles/profileStore';

const SSH_PORT = 2201;

/**
 * Issue #13 in the CLI: when the public-IP lookup fails (here a proxy answering
 * HTTP 502), `jumpgate allow-ip` names the URL and points at `--ip`; with
 * `--ip` the address is checked (public IPv4 only, a usage error otherwise)
 * and used for the check and the rule in moto.
 */
describe.skipIf(!peersAvailable('moto_server'))('jumpgate allow-ip --ip', () => {
  let dir: string;
  let dataDir: string;
  let moto: MotoPeer;
  let broken: Awaited<ReturnType<typeof startBrokenPublicIpServer>>;
  let groupId: string;
  let env: NodeJS.ProcessEnv;

  const ingressRules = async () => {
    const ec2 = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials }).ec2();
    const answer = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
    return (answer.SecurityGroupRules ?? []).filter((rule) => !rule.IsEgress).map((rule) => ({ cidr: rule.CidrIpv4, from: rule.FromPort, to: rule.ToPort }));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-ip-'));
    dataDir = join(dir, 'data');
    [moto, broken] = await Promise.all([startMoto(), startBrokenPublicIpServer(502)]);
    groupId = await createJumpBoxGroup(moto, 'bastion-cli-ip');
    // The AWS CLI's own variables point the SDK at moto: no Jumpgate-specific test hook.
    env = {
      JUMPGATE_DATA_DIR: dataDir,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      JUMPGATE_CHECKIP_URL: broken.url,
      SSH_AUTH_SOCK: '',
    };
    const store = new ProfileStore({ path: join(dataDir, 'profiles.json') });
    await store.load();
    await store.upsert({
      id: 'office',
      name: 'Office',
      jumpHost: { host: 'bastion.internal', port: SSH_PORT, user: 'ec2-user', auth: { kind: 'key', keyPath: join(dir, 'id_ed25519') } },
      aws: { region: 'eu-west-2', securityGroupId: groupId },
      targets: [],
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([moto?.dispose(), broken?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the failed URL and points at --ip when the lookup fails', async () => {
    const { code, stderr } = await runCli(['allow-ip', 'office', '--check'], env);
    expect(code).toBe(1);
    expect(stderr).toContain(`error PUBLIC_IP_UNKNOWN: The public-IP service at ${broken.url} answered HTTP 502.`);
    expect(stderr).toContain('jumpgate allow-ip <profile> --ip <address>');
    expect(stderr).not.toContain('Settings');
  });

  it('refuses an --ip that is not a public IPv4 address as a usage error, changing nothing', async () => {
    const privateIp = await runCli(['allow-ip', 'office', '--ip', '10.0.0.5'], env);
    expect(privateIp.code).toBe(2);
    expect(privateIp.stderr).toContain('error PUBLIC_IP_INVALID: 10.0.0.5 is a private address, not the one AWS sees: type your public IPv4 address.');
    expect(privateIp.stderr).toContain('hint: Give the public IPv4 address AWS sees for you');
    const cidr = await runCli(['allow-ip', 'office', '--ip', '81.2.3.77/32', '--check'], env);
    expect(cidr.code).toBe(2);
    expect(cidr.stderr).toContain('error PUBLIC_IP_INVALID: "81.2.3.77/32" is not an IPv4 address');
    expect(await ingressRules()).toEqual([]);
  });

  it('allows, checks and removes the address given with --ip, on the jump box SSH port', async () => {
    expect(await runCli(['allow-ip', 'office', '--ip', '81.2.3.77', '--check'], env)).toMatchObject({
      code: 1,
      stdout: `81.2.3.77 is NOT allowed on port ${SSH_PORT} in ${groupId}\n`,
    });
    const added = await runCli(['allow-ip', 'office', '--ip', '81.2.3.77', '--label', 'ci'], env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      new RegExp(`^added: 81\\.2\\.3\\.77/32 on port ${SSH_PORT} in ${groupId} "Jumpgate: \\S+ ci \\[\\w+\\]"\\nRules for port ${SSH_PORT}:\\n  yours  .*\\n$`),
    );
    expect(await ingressRules()).toEqual([{ cidr: '81.2.3.77/32', from: SSH_PORT, to: SSH_PORT }]);
    const allowed = await runCli(['allow-ip', 'office', '--ip', '81.2.3.77', '--check'], env);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(new RegExp(`^81\\.2\\.3\\.77 is allowed on port ${SSH_PORT} in ${groupId}\\nRules for port ${SSH_PORT}:\\n  yours +81\\.2\\.3\\.77/32  ${groupId}  "Jumpgate: \\S+ ci \\[\\w+\\]"\\n$`));
    const audit = readFileSync(join(dataDir, 'audit.log'), 'utf8');
    expect(audit).toContain(`81.2.3.77 (given by the user) on port ${SSH_PORT} of ${groupId}: added`);

    const removed = await runCli(['allow-ip', 'office', '--remove', '--label', 'ci'], env);
    expect(removed).toMatchObject({ code: 0, stdout: `Removed 81.2.3.77/32 from ${groupId}\n` });
    expect(await ingressRules()).toEqual([]);
  });

  it('says which rules are yours: a colleague with the same label keeps theirs (issue #17)', async () => {
    // The colleague: another IAM user with their own keys, same OS user (this test's) and label.
    const colleague = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: await createIamUser(moto, 'cli-colleague', ['ec2:*']) });
    const theirs = await allowMyIp(colleague, { groupId, ip: '82.2.2.2', label: 'ci', port: SSH_PORT });

    const added = await runCli(['allow-ip', 'office', '--ip', '81.2.3.77', '--label', 'ci'], env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const lines = added.stdout.split('\n');
    expect(lines[0]).toMatch(/^added: 81\.2\.3\.77\/32 /);
    expect(lines.slice(1)).toEqual([
      `Rules for port ${SSH_PORT}:`,
      expect.stringMatching(new RegExp(`^  yours {9}  81\\.2\\.3\\.77/32  ${groupId}  "Jumpgate: \\S+ ci \\[\\w+\\]"$`)),
      `  someone else's  82.2.2.2/32   ${groupId}  "${theirs.rule.description}"`,
      '',
    ]);
    expect((await ingressRules()).map((rule) => rule.cidr).sort()).toEqual(['81.2.3.77/32', '82.2.2.2/32']);

    const removed = await runCli(['allow-ip', 'office', '--remove', '--label', 'ci'], env);
    expect(removed).toMatchObject({ code: 0, stdout: `Removed 81.2.3.77/32 from ${groupId}\n` });
    expect(await ingressRules()).toEqual([{ cidr: '82.2.2.2/32', from: SSH_PORT, to: SSH_PORT }]);
  });
});
