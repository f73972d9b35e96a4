import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import { createServer } from 'node:http';
import { createAwsClients } from '../../electron/core/aws/awsClients';
import type { MotoPeer } from '../rig/moto';

/** The public-IP lookup (checkip) the service asks "what is my IP?": a local HTTP server that answers `ip`. */
export interface PublicIpServer {
  url: string;
  ip: string;
  close(): Promise<void>;
}

export async function startPublicIpServer(ip: string): Promise<PublicIpServer> {
  const server = createServer((_request, response) => response.end(`${ip}\n`));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    ip,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * A public-IP lookup that is broken the way proxies and captive portals break it: every
 * request gets HTTP `status` and an HTML page instead of an address.
 */
export async function startBrokenPublicIpServer(status = 502): Promise<Omit<PublicIpServer, 'ip'>> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'text/html' });
    response.end('<html><body><h1>Bad gateway</h1><p>The proxy could not reach checkip.</p></body></html>');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/checkip`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** The jump box's security group in moto, with no rule yet: nobody's IP is allowed. */
export async function createJumpBoxGroup(moto: MotoPeer, name: string): Promise<string> {
  const ec2 = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials }).ec2();
  const created = await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: 'jump box' }));
  if (!created.GroupId) throw new Error('moto created no security group');
  return created.GroupId;
}

/** What an administrator does in the EC2 console: allow `ip`/32 on TCP `port` (the jump box's SSH port). */
export async function allowInMoto(moto: MotoPeer, groupId: string, ip: string, port: number): Promise<void> {
  const ec2 = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials }).ec2();
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: `${ip}/32`, Description: 'added by the administrator' }] }],
    }),
  );
}
