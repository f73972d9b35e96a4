import { JumpgateError } from '../../../shared/model/errors';
import type { AwsScope } from './awsClients';

/** What was being attempted, so the error can name it ("ec2:AuthorizeSecurityGroupIngress"). */
export interface AwsCallContext {
  /** IAM action, e.g. 'rds:DescribeDBInstances'. */
  action: string;
  scope: AwsScope;
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired', 'RequestExpired']);
const INVALID = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'AuthFailure', 'InvalidSignatureException']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedException', 'NotAuthorized']);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

function loginCommand(scope: AwsScope): string {
  return scope.profile ? `aws sso login --profile ${scope.profile}` : 'aws sso login';
}

/**
 * Map an AWS SDK error onto a stable code and a hint that is the exact next step
 * (a command to run, or what to ask an administrator for). Never includes
 * request parameters: they can hold secret ids or values.
 */
export function classifyAwsError(error: unknown, context: AwsCallContext): JumpgateError {
  if (error instanceof JumpgateError) return error;
  const err = error as { name?: string; Code?: string; code?: string; message?: string; $metadata?: unknown } | undefined;
  const name = err?.name ?? err?.Code ?? '';
  const message = err?.message ?? String(error);
  const who = context.scope.profile ? `AWS profile "${context.scope.profile}"` : 'your AWS credentials';

  if (EXPIRED.has(name) || /expired|token.*refresh|session.*(expired|invalid)/i.test(message)) {
    return new JumpgateError('AWS_CREDENTIALS_EXPIRED', `The credentials of ${who} have expired.`, {
      hint: `Run: ${loginCommand(context.scope)}`,
      details: { action: context.action },
    });
  }
  if (name === 'CredentialsProviderError' || /could not load credentials|profile .* (not found|could not be found)/i.test(message)) {
    return new JumpgateError('AWS_CREDENTIALS_MISSING', `No AWS credentials were found for ${who}.`, {
      hint: context.scope.profile
        ? `Run: aws configure sso --profile ${context.scope.profile} (or aws configure --profile ${context.scope.profile}), then try again.`
        : 'Run: aws configure sso (or aws configure), or choose an AWS profile for this Jumpgate profile.',
      details: { action: context.action },
    });
  }
  if (INVALID.has(name)) {
    return new JumpgateError('AWS_CREDENTIALS_INVALID', `AWS rejected ${who} (${name}).`, {
      hint: `The keys are wrong or revoked: run ${loginCommand(context.scope)} or update them with aws configure.`,
      details: { action: context.action },
    });
  }
  if (DENIED.has(name) || /not authorized to perform/i.test(message)) {
    return new JumpgateError('AWS_ACCESS_DENIED', `${who[0]?.toUpperCase()}${who.slice(1)} may not call ${context.action} in ${context.scope.region}.`, {
      hint: `Ask your AWS administrator to allow ${context.action} for your role.`,
      details: { action: context.action },
    });
  }
  const code = err?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if ((code && NETWORK.has(code)) || name === 'TimeoutError') {
    return new JumpgateError('AWS_UNREACHABLE', `AWS could not be reached for ${context.action} (${code ?? name}).`, {
      hint: 'Check your internet connection, VPN and proxy settings.',
      details: { action: context.action },
    });
  }
  return new JumpgateError('AWS_REQUEST_FAILED', `${context.action} failed: ${name || 'error'}${message ? ` (${message.slice(0, 200)})` : ''}.`, {
    hint: 'Run the doctor for this profile; if this persists, check the AWS console for the same resource.',
    details: { action: context.action },
  });
}

/** Run one AWS call and turn any failure into a coded error. */
export async function awsCall<T>(context: AwsCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyAwsError(error, context);
  }
}
