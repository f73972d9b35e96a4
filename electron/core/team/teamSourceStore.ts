import type { TeamSource } from '../../../shared/model/teamSource';
import type { AwsClients } from '../aws/awsClients';
import { S3TeamSource } from './s3TeamSource';
import { SsmTeamSource } from './ssmTeamSource';
import type { TeamSourceStore } from './teamSourceCalls';

export type { PublishedCopy, TeamSourceStore } from './teamSourceCalls';

/** The store behind a source: Parameter Store for `ssm:` paths, S3 for `s3://` objects. */
export function teamSourceStore(source: TeamSource, clients: AwsClients): TeamSourceStore {
  return source.kind === 'ssm' ? new SsmTeamSource(source.path, clients) : new S3TeamSource(source.bucket, source.key, clients);
}
