import { JumpgateError } from '../../../shared/model/errors';
import { formatTeamSource, type TeamSource } from '../../../shared/model/teamSource';
import { classifyAwsError, errorName } from '../aws/awsErrors';
import type { AwsClients } from '../aws/awsClients';

/** What is published at a source now: the team file's text and the revision that names this version. */
export interface PublishedCopy {
  text: string;
  /** Parameter Store's version of the head parameter, or the S3 object's ETag. */
  revision: string;
  /** When it was published (epoch ms), where the store says. */
  publishedAt?: number;
}

/**
 * One place a team publishes its profiles, behind the same two operations whatever the backend
 * (issue #16): read the current version, and write a new one only over the version the writer read.
 */
export interface TeamSourceStore {
  /** The source as people write it (`ssm:/jumpgate/acme`, `s3://bucket/key`). */
  readonly name: string;
  /** The published version, or undefined when nothing is published there yet. */
  read(): Promise<PublishedCopy | undefined>;
  /**
   * Publish `text` over `seenRevision` (undefined: nothing was published when the writer read).
   * Refused with TEAM_SOURCE_CONFLICT when the source holds another version now.
   */
  write(text: string, seenRevision: string | undefined): Promise<{ revision: string }>;
}

/** The refusal of a publish over a version the writer did not read. */
export function sourceConflict(source: string, seenRevision: string | undefined, currentRevision: string | undefined): JumpgateError {
  const seen = seenRevision ?? 'none';
  const current = currentRevision ?? 'none';
  return new JumpgateError(
    'TEAM_SOURCE_CONFLICT',
    currentRevision === undefined
      ? `Nothing is published at ${source} any more (you read version ${seen}); nothing was published.`
      : `${source} was published again since you read it (you read ${seen === 'none' ? 'nothing' : `version ${seen}`}, it is at version ${current} now); nothing was overwritten.`,
    { hint: 'Look at what is there now (jumpgate team publish shows the difference again), then publish again.', details: { source, seenRevision: seen, currentRevision: current } },
  );
}

/**
 * Run one AWS call on a team source; a failure becomes a coded error that names the source, and
 * when it is a refusal, the IAM action and the resource to ask for (`ssm:GetParameter` on the path).
 */
export async function sourceCall<T>(clients: AwsClients, call: { action: string; source: TeamSource; resource: string }, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const classified = classifyAwsError(error, {
      action: call.action,
      scope: clients.scope,
      deniedHint: `Ask your AWS administrator to allow ${call.action} on ${call.resource} for your role (the team's profiles are published there).`,
    });
    if (classified.code !== 'AWS_ACCESS_DENIED') return rethrowNamed(classified, formatTeamSource(call.source));
    throw new JumpgateError('AWS_ACCESS_DENIED', `${classified.message.replace(/ in ([a-z0-9-]+)\.$/, '')} on ${call.resource} (region ${clients.scope.region}).`, {
      ...(classified.hint ? { hint: classified.hint } : {}),
      details: { action: call.action, region: clients.scope.region },
      cause: error,
    });
  }
}

function rethrowNamed(error: JumpgateError, source: string): never {
  if (error.message.includes(source)) throw error;
  throw new JumpgateError(error.code, `${source}: ${error.message}`, { ...(error.hint ? { hint: error.hint } : {}), ...(error.details ? { details: error.details as never } : {}), cause: error });
}

/** The AWS error is "there is no such thing" (no parameter, no object). */
export function isAbsent(error: unknown, ...names: string[]): boolean {
  return names.includes(errorName(error));
}
