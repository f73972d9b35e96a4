import { JumpgateError } from '../../../shared/model/errors';
import type { AwsScope } from './awsClients';

/** What was being attempted, so the error can name it ("ec2:AuthorizeSecurityGroupIngress"). */
export interface AwsCallContext {
  /** IAM action, e.g. 'rds:DescribeDBInstances'. */
  action: string;
  scope: AwsScope;
  /**
   * The thing the call names ("DB snapshot orders-1", "security group sg-..."). Only a
   * call that names something can fail with "not found" or "already exists": without
   * it such answers stay AWS_REQUEST_FAILED, since a listing should never see them.
   */
  resource?: string;
  /** What to do when `resource` does not exist; default: refresh, it may be gone or in another region. */
  notFoundHint?: string;
  /** What to ask an administrator for when the call is denied; default: allow `action`. */
  deniedHint?: string;
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired', 'RequestExpired']);
const INVALID = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'AuthFailure', 'InvalidSignatureException']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedException', 'NotAuthorized']);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

const DEFAULT_NOT_FOUND_HINT = 'Refresh the list: it may have been deleted, or it lives in another region.';

/**
 * The AWS error name. SDK v3 exceptions carry it as `name`; errors rebuilt from
 * an XML body by some emulators only as `Code`.
 */
export function errorName(error: unknown): string {
  const err = error as { name?: unknown; Code?: unknown } | undefined;
  if (typeof err?.name === 'string') return err.name;
  return typeof err?.Code === 'string' ? err.Code : '';
}

/**
 * AWS says the resource a request names does not exist: RDS `DB...NotFoundFault`,
 * EC2 `InvalidGroup.NotFound`, Secrets Manager `ResourceNotFoundException`. EC2's
 * `Invalid...ID.Malformed` counts too: an id that cannot exist names nothing.
 * (A listing never answers this; only a call about one named thing does.)
 */
export function isMissingResource(error: unknown): boolean {
  const name = errorName(error);
  return /NotFound(Fault|Exception)?$/.test(name) || /^Invalid\w+\.Malformed$/.test(name);
}

/** AWS refused to create something because one of that name exists (RDS `DB...AlreadyExistsFault`). */
function isAlreadyExisting(error: unknown): boolean {
  return /AlreadyExists(Fault)?$/.test(errorName(error));
}

/**
 * A 403 whose body the SDK could not read (it is not the protocol's JSON): IAM-checking emulators
 * (moto) answer a JSON-protocol service's refusal in XML, and a proxy's refusal page is HTML. Either
 * way the request was refused; AWS's own refusals of JSON services are JSON (400, AccessDeniedException).
 */
function isUnreadableRefusal(error: unknown): boolean {
  const err = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | undefined;
  return err?.name === 'SyntaxError' && err.$metadata?.httpStatusCode === 403;
}

function loginCommand(scope: AwsScope): string {
  return scope.profile ? `aws sso login --profile ${scope.profile}` : 'aws sso login';
}

/**
 * Map an AWS SDK error onto a stable code and a hint that is the exact next step
 * (a command to run, or what to ask an administrator for). Never includes
 * request parameters: they can hold secret ids or values. Every AWS module
 * goes through this one function; modules only add context (resource, hints).
 */
export function classifyAwsError(error: unknown, context: AwsCallContext): JumpgateError {
  if (error instanceof JumpgateError) return error;
  const err = error as { name?: string; Code?: string; code?: string; message?: string } | undefined;
  const name = errorName(error);
  const message = err?.message ?? String(error);
  const who = context.scope.profile ? `AWS profile "${context.scope.profile}"` : 'your AWS credentials';
  const details = { action: context.action };
  const coded = (code: ConstructorParameters<typeof JumpgateError>[0], text: string, hint: string) =>
    new JumpgateError(code, text, { hint, details, cause: error });

  // Exact names first: a resource called "expired-orders" must not read as expired credentials.
  if (context.resource !== undefined && isMissingResource(error)) {
    return coded('AWS_NOT_FOUND', `The ${context.resource} was not found in ${context.scope.region}.`, context.notFoundHint ?? DEFAULT_NOT_FOUND_HINT);
  }
  // Jumpgate creates named things in AWS only when restoring a copy, hence the hint.
  if (context.resource !== undefined && isAlreadyExisting(error)) {
    return coded('BAD_REQUEST', `The ${context.resource} already exists.`, 'Choose another name for the restored copy.');
  }
  if (EXPIRED.has(name) || /expired|token.*refresh|session.*(expired|invalid)/i.test(message)) {
    return coded('AWS_CREDENTIALS_EXPIRED', `The credentials of ${who} have expired.`, `Run: ${loginCommand(context.scope)}`);
  }
  if (name === 'CredentialsProviderError' || /could not load credentials|profile .* (not found|could not be found)/i.test(message)) {
    return coded(
      'AWS_CREDENTIALS_MISSING',
      context.scope.profile
        ? `No AWS credentials were found for ${who}.`
        : 'No AWS credentials were found (none in the environment, ~/.aws/credentials or ~/.aws/config).',
      context.scope.profile
        ? `Run: aws configure sso --profile ${context.scope.profile} (or aws configure --profile ${context.scope.profile}), then try again.`
        : 'Run: aws configure sso (or aws configure), or choose an AWS profile for this Jumpgate profile.',
    );
  }
  if (INVALID.has(name)) {
    return coded(
      'AWS_CREDENTIALS_INVALID',
      `AWS rejected ${who} (${name}).`,
      `The keys are wrong or revoked: run ${loginCommand(context.scope)} or update them with aws configure.`,
    );
  }
  if (DENIED.has(name) || /not authorized to perform/i.test(message) || isUnreadableRefusal(error)) {
    return coded(
      'AWS_ACCESS_DENIED',
      `${who[0]?.toUpperCase()}${who.slice(1)} may not call ${context.action} in ${context.scope.region}.`,
      context.deniedHint ?? `Ask your AWS administrator to allow ${context.action} for your role.`,
    );
  }
  const code = err?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if ((code && NETWORK.has(code)) || name === 'TimeoutError') {
    return coded('AWS_UNREACHABLE', `AWS could not be reached for ${context.action} (${code ?? name}).`, 'Check your internet connection, VPN and proxy settings.');
  }
  return coded(
    'AWS_REQUEST_FAILED',
    `${context.action} failed: ${name || 'error'}${message ? ` (${message.slice(0, 200)})` : ''}.`,
    'Run the doctor for this profile; if this persists, check the AWS console for the same resource.',
  );
}

/** Run one AWS call and turn any failure into a coded error. */
export async function awsCall<T>(context: AwsCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyAwsError(error, context);
  }
}
