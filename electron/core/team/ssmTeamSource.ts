import { createHash } from 'node:crypto';
import * as z from '../../../shared/zod';
import { JumpgateError } from '../../../shared/model/errors';
import type { AwsClients } from '../aws/awsClients';
import { loadSsm } from '../aws/awsSdkModules';
import { isAbsent, sourceCall, sourceConflict, type PublishedCopy, type TeamSourceStore } from './teamSourceCalls';

/**
 * A team's profiles in Parameter Store (issue #16). A standard parameter holds 4 KB, less than a big
 * team's file, so the file is cut into parts of at most 4096 bytes, each its own parameter under
 * `<path>/part/`, and the parameter at `<path>` itself is a small head naming them with the whole
 * file's SHA-256. The head's version is the revision: Parameter Store numbers every write of it.
 *
 * Parts are named by the file's hash, so a new publish writes new parts and switches the head
 * last: a reader never mixes two versions (it checks the hash), and one that read the old head
 * while the old parts were being removed reads again. Reading needs only ssm:GetParameter on the
 * path and below; publishing also ssm:PutParameter and ssm:DeleteParameters (to remove old parts).
 *
 * Parameter Store has no conditional write: the head's version is checked just before it is
 * written, and a first publish is created with Overwrite off, so only two publishes in the same
 * instant can both pass; the later one then wins, as the version history shows.
 */

/** Parameter Store's limit for a standard parameter's value. */
export const SSM_PART_BYTES = 4096;
/** 64 parts: 256 KB, far above a team of hundreds of profiles; beyond that S3 is the place. */
const MAX_PARTS = 64;
const HEAD_FORMAT = 'jumpgate-team-parts';

const HeadSchema = z.object({
  format: z.literal(HEAD_FORMAT),
  version: z.literal(1),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  parts: z.int().check(z.gte(1), z.lte(MAX_PARTS)),
});
type Head = z.infer<typeof HeadSchema>;

/** Whether a parameter's value is the head a publish writes at a team's path (its parts are not). */
export function isTeamHead(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    return HeadSchema.safeParse(JSON.parse(value)).success;
  } catch {
    return false;
  }
}

/** Cut `text` into pieces of at most `limit` UTF-8 bytes, never inside a character. */
export function splitUtf8(text: string, limit: number): string[] {
  const parts: string[] = [];
  let current = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > limit) {
      parts.push(current);
      current = '';
      bytes = 0;
    }
    current += char;
    bytes += size;
  }
  if (current !== '' || parts.length === 0) parts.push(current);
  return parts;
}

export class SsmTeamSource implements TeamSourceStore {
  readonly name: string;

  constructor(
    private readonly path: string,
    private readonly clients: AwsClients,
  ) {
    this.name = `ssm:${path}`;
  }

  partName(sha256: string, index: number): string {
    return `${this.path}/part/${sha256.slice(0, 16)}-${index}`;
  }

  async read(): Promise<PublishedCopy | undefined> {
    // A publish that lands between reading the head and its parts removes the old parts: read again.
    for (let attempt = 1; ; attempt++) {
      const head = await this.head();
      if (!head) return undefined;
      const texts = await Promise.all(Array.from({ length: head.head.parts }, (_, index) => this.get(this.partName(head.head.sha256, index))));
      const text = texts.every((part) => part !== undefined) ? texts.join('') : undefined;
      if (text !== undefined && sha256(text) === head.head.sha256) {
        return { text, revision: head.revision, ...(head.publishedAt !== undefined ? { publishedAt: head.publishedAt } : {}) };
      }
      if (attempt === 3) {
        throw new JumpgateError('IMPORT_INVALID', `The team's profiles at ${this.name} are incomplete: a part named by version ${head.revision} is missing or altered.`, {
          hint: 'Ask the administrator to publish the team again (jumpgate team publish).',
        });
      }
    }
  }

  async write(text: string, seenRevision: string | undefined): Promise<{ revision: string }> {
    const parts = splitUtf8(text, SSM_PART_BYTES);
    if (parts.length > MAX_PARTS) {
      throw new JumpgateError('BAD_REQUEST', `The team's profiles are ${Buffer.byteLength(text)} bytes: more than ${MAX_PARTS} Parameter Store parameters of 4 KB.`, {
        hint: 'Publish them to S3 instead: --to s3://<bucket>/<key>.',
      });
    }
    const current = await this.head();
    if (current?.revision !== seenRevision) throw sourceConflict(this.name, seenRevision, current?.revision);
    const digest = sha256(text);
    // One after another: Parameter Store throttles bursts of writes.
    for (const [index, value] of parts.entries()) {
      await this.put(this.partName(digest, index), value, true, `Jumpgate team profiles: part ${index + 1} of ${parts.length} (see ${this.path})`);
    }
    const head: Head = { format: HEAD_FORMAT, version: 1, sha256: digest, parts: parts.length };
    const version = await this.put(this.path, JSON.stringify(head), seenRevision !== undefined, `Jumpgate team profiles (${parts.length} part(s) under ${this.path}/part/)`);
    // Created by someone else between the check and this write.
    if (version === 'exists') throw sourceConflict(this.name, undefined, (await this.head())?.revision);
    if (current && current.head.sha256 !== digest) await this.removeParts(current.head);
    return { revision: String(version) };
  }

  /** The old version's parts, once the head no longer names them. A part left behind (no permission) only takes room. */
  private async removeParts(old: Head): Promise<void> {
    const names = Array.from({ length: old.parts }, (_, index) => this.partName(old.sha256, index));
    const { DeleteParametersCommand } = await loadSsm();
    for (let start = 0; start < names.length; start += 10) {
      await sourceCall(this.clients, { action: 'ssm:DeleteParameters', source: this.source, resource: `${this.path}/part/*` }, () =>
        this.clients.ssm().send(new DeleteParametersCommand({ Names: names.slice(start, start + 10) })),
      ).catch(() => undefined);
    }
  }

  private get source() {
    return { kind: 'ssm' as const, path: this.path };
  }

  private async head(): Promise<{ head: Head; revision: string; publishedAt?: number } | undefined> {
    const parameter = await this.getParameter(this.path);
    if (!parameter) return undefined;
    let head: Head;
    try {
      head = HeadSchema.parse(JSON.parse(parameter.value));
    } catch {
      throw new JumpgateError('IMPORT_INVALID', `The parameter ${this.path} does not hold Jumpgate team profiles.`, {
        hint: 'Check the path; a team is published there with jumpgate team publish.',
      });
    }
    return { head, revision: String(parameter.version), ...(parameter.modified !== undefined ? { publishedAt: parameter.modified } : {}) };
  }

  private async get(name: string): Promise<string | undefined> {
    return (await this.getParameter(name))?.value;
  }

  private async getParameter(name: string): Promise<{ value: string; version: number; modified?: number } | undefined> {
    const { GetParameterCommand } = await loadSsm();
    const resource = name === this.path ? this.path : `${this.path}/part/*`;
    const answer = await sourceCall(this.clients, { action: 'ssm:GetParameter', source: this.source, resource }, () =>
      this.clients
        .ssm()
        .send(new GetParameterCommand({ Name: name }))
        .catch((error: unknown) => {
          if (isAbsent(error, 'ParameterNotFound')) return undefined;
          throw error;
        }),
    );
    const parameter = answer?.Parameter;
    if (!parameter?.Value) return undefined;
    return { value: parameter.Value, version: parameter.Version ?? 0, ...(parameter.LastModifiedDate ? { modified: parameter.LastModifiedDate.getTime() } : {}) };
  }

  /** Write one parameter; its new version, or 'exists' when it was to be created and someone else did first. */
  private async put(name: string, value: string, overwrite: boolean, description: string): Promise<number | 'exists'> {
    const { PutParameterCommand } = await loadSsm();
    const answer = await sourceCall(this.clients, { action: 'ssm:PutParameter', source: this.source, resource: name }, () =>
      this.clients
        .ssm()
        .send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Tier: 'Standard', Overwrite: overwrite, Description: description.slice(0, 1024) }))
        .catch((error: unknown) => {
          if (!overwrite && isAbsent(error, 'ParameterAlreadyExists')) return 'exists' as const;
          throw error;
        }),
    );
    return answer === 'exists' ? answer : (answer.Version ?? 0);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
