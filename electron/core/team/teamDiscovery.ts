import type { ResponseOf } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import type { AwsClients } from '../aws/awsClients';
import { classifyAwsError } from '../aws/awsErrors';
import { loadSsm } from '../aws/awsSdkModules';
import { isTeamHead } from './ssmTeamSource';

/** Where `jumpgate team publish --to ssm:/jumpgate/<team>` puts a team: the path a new starter's Jumpgate looks under. */
export const TEAM_PARAMETER_ROOT = '/jumpgate';
/** Parameter Store answers at most 10 parameters a page; 50 pages is far more teams (and their parts) than any account holds. */
const MAX_PAGES = 50;

type Discovered = ResponseOf<'team:discover'>['sources'];

/**
 * The team sources published in Parameter Store under /jumpgate (issue #16: a new starter picks
 * their team rather than typing its path). A publish writes one head parameter at the team's path
 * and its parts below `<path>/part/`; only the heads are sources. One recursive GetParametersByPath
 * reads names and values together (DescribeParameters would need a second call per head to tell a
 * head from a stray parameter). Refused: AWS_ACCESS_DENIED naming ssm:GetParametersByPath and the path.
 */
export async function discoverSsmTeams(clients: AwsClients): Promise<Discovered> {
  const { GetParametersByPathCommand } = await loadSsm();
  const found: Discovered = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const token = nextToken;
    const answer = await listed(clients, () => clients.ssm().send(new GetParametersByPathCommand({ Path: TEAM_PARAMETER_ROOT, Recursive: true, ...(token ? { NextToken: token } : {}) })));
    for (const parameter of answer.Parameters ?? []) {
      if (!parameter.Name || !isTeamHead(parameter.Value)) continue;
      found.push({
        source: `ssm:${parameter.Name}`,
        revision: String(parameter.Version ?? 0),
        ...(parameter.LastModifiedDate ? { publishedAt: parameter.LastModifiedDate.getTime() } : {}),
      });
    }
    nextToken = answer.NextToken;
    if (!nextToken) break;
  }
  return found.sort((a, b) => a.source.localeCompare(b.source));
}

const ACTION = 'ssm:GetParametersByPath';

/** One listing call; a refusal names the permission and the path to ask for, as a refused read of one team does. */
async function listed<T>(clients: AwsClients, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const resource = `${TEAM_PARAMETER_ROOT}/*`;
    const classified = classifyAwsError(error, {
      action: ACTION,
      scope: clients.scope,
      deniedHint: `Type the team source your administrator gave you, or ask your AWS administrator to allow ${ACTION} on ${resource} for your role.`,
    });
    if (classified.code !== 'AWS_ACCESS_DENIED') throw classified;
    throw new JumpgateError('AWS_ACCESS_DENIED', `${classified.message.replace(/ in ([a-z0-9-]+)\.$/, '')} on ${resource} (region ${clients.scope.region}), so Jumpgate cannot list the teams published there.`, {
      ...(classified.hint ? { hint: classified.hint } : {}),
      details: { action: ACTION, region: clients.scope.region },
      cause: error,
    });
  }
}
