/**
 * Where a team's profiles are published in AWS (issue #16): a Parameter Store path
 * (`ssm:/jumpgate/acme`) or an S3 object (`s3://bucket/key`). Written by people the
 * way the AWS CLI writes them, so they are parsed here, in one place, for every front end.
 */
export type TeamSource = { kind: 'ssm'; path: string } | { kind: 's3'; bucket: string; key: string };

/**
 * A Parameter Store hierarchy: `/` then up to 10 levels of letters, digits and `_.-`. Parameter
 * Store allows 15 levels; the parts of a big team live two levels further down (`<path>/part/...`),
 * and its own reserved prefixes (`/aws`, `/ssm`) are refused here rather than by AWS.
 */
const SSM_PATH = /^(\/[A-Za-z0-9_.-]{1,100}){1,10}$/;
/** S3's bucket naming rules (lower case, digits, dots, dashes; 3 to 63; no leading or trailing dot or dash). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** An object key: 1 to 1024 bytes, no control characters (a line break would forge a line of any message naming it). */
function isObjectKey(key: string): boolean {
  return key.length > 0 && new TextEncoder().encode(key).length <= 1024 && ![...key].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

/** The source a person wrote, or undefined with nothing guessed when it is neither form. */
export function parseTeamSource(text: string): TeamSource | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('ssm:')) {
    const path = trimmed.slice('ssm:'.length);
    if (!SSM_PATH.test(path) || /^\/(aws|ssm)(\/|$)/i.test(path) || path.split('/').some((level) => level === '.' || level === '..')) return undefined;
    return { kind: 'ssm', path };
  }
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(trimmed);
  if (s3) {
    const [, bucket, key] = s3 as unknown as [string, string, string];
    if (!BUCKET.test(bucket) || bucket.includes('..') || !isObjectKey(key)) return undefined;
    return { kind: 's3', bucket, key };
  }
  return undefined;
}

/** The source as people write it, and as Jumpgate names it in messages and keys its state by. */
export function formatTeamSource(source: TeamSource): string {
  return source.kind === 'ssm' ? `ssm:${source.path}` : `s3://${source.bucket}/${source.key}`;
}

/** What a source looks like, for the hint when one does not parse. */
export const TEAM_SOURCE_FORMS = 'ssm:/jumpgate/<team> (a Parameter Store path) or s3://<bucket>/<key>';
