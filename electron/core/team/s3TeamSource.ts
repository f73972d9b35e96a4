import { JumpgateError } from '../../../shared/model/errors';
import type { AwsClients } from '../aws/awsClients';
import { loadS3 } from '../aws/awsSdkModules';
import { isAbsent, sourceCall, sourceConflict, type PublishedCopy, type TeamSourceStore } from './teamSourceCalls';

/** A team file is a few hundred KB at most; anything far bigger is not one, and is not read into memory. */
const MAX_OBJECT_BYTES = 5_000_000;

/**
 * A team's profiles as one S3 object (issue #16), for teams too big for Parameter Store or that
 * keep such things in a bucket. The object's ETag is the revision, and S3's conditional writes make
 * the publish check exact: a new version is written only `If-Match` the ETag the writer read (or
 * `If-None-Match: *` when there was nothing), so a publish over a newer version fails at S3 itself.
 * Reading needs s3:GetObject; publishing also s3:PutObject.
 */
export class S3TeamSource implements TeamSourceStore {
  readonly name: string;

  constructor(
    private readonly bucket: string,
    private readonly key: string,
    private readonly clients: AwsClients,
  ) {
    this.name = `s3://${bucket}/${key}`;
  }

  private get call() {
    return { source: { kind: 's3' as const, bucket: this.bucket, key: this.key }, resource: `arn:aws:s3:::${this.bucket}/${this.key}` };
  }

  async read(): Promise<PublishedCopy | undefined> {
    const { GetObjectCommand } = await loadS3();
    const object = await sourceCall(this.clients, { ...this.call, action: 's3:GetObject' }, async () => {
      const answer = await this.clients
        .s3()
        .send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }))
        .catch((error: unknown) => {
          if (isAbsent(error, 'NoSuchKey', 'NotFound')) return undefined;
          throw error;
        });
      if (!answer) return undefined;
      if ((answer.ContentLength ?? 0) > MAX_OBJECT_BYTES) {
        answer.Body?.transformToWebStream().cancel().catch(() => undefined);
        throw new JumpgateError('IMPORT_INVALID', `${this.name} is ${answer.ContentLength} bytes: not a Jumpgate team file.`, { hint: 'Check the bucket and key.' });
      }
      return { text: (await answer.Body?.transformToString('utf8')) ?? '', etag: answer.ETag, modified: answer.LastModified };
    });
    if (!object) return undefined;
    return { text: object.text, revision: object.etag ?? '', ...(object.modified ? { publishedAt: object.modified.getTime() } : {}) };
  }

  async write(text: string, seenRevision: string | undefined): Promise<{ revision: string }> {
    const { PutObjectCommand } = await loadS3();
    const answer = await sourceCall(this.clients, { ...this.call, action: 's3:PutObject' }, () =>
      this.clients
        .s3()
        .send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.key,
            Body: text,
            ContentType: 'application/json',
            ...(seenRevision === undefined ? { IfNoneMatch: '*' } : { IfMatch: seenRevision }),
          }),
        )
        .catch((error: unknown) => {
          if (isAbsent(error, 'PreconditionFailed', 'ConditionalRequestConflict') || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return 'conflict' as const;
          throw error;
        }),
    );
    if (answer === 'conflict') throw sourceConflict(this.name, seenRevision, (await this.read())?.revision);
    return { revision: answer.ETag ?? '' };
  }
}
