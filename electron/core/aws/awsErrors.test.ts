import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { RDSServiceException } from '@aws-sdk/client-rds';
import { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { JumpgateError } from '../../../shared/model/errors';
import { classifyAwsError, errorName, isMissingResource, type AwsCallContext } from './awsErrors';

const scope = { region: 'eu-west-2', profile: 'prod' };

function rdsError(name: string, message = `${name} happened`) {
  return new RDSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

describe('errorName', () => {
  it('reads the SDK name, else the Code an XML body carries, else nothing', () => {
    expect(errorName(rdsError('DBInstanceNotFoundFault'))).toBe('DBInstanceNotFoundFault');
    expect(errorName({ Code: 'InvalidGroup.NotFound' })).toBe('InvalidGroup.NotFound');
    expect(errorName({ name: 42, Code: 'Throttling' })).toBe('Throttling');
    expect(errorName(undefined)).toBe('');
    expect(errorName('boom')).toBe('');
  });
});

describe('isMissingResource', () => {
  it('is true for what each service answers when the named thing does not exist', () => {
    for (const name of [
      'DBInstanceNotFoundFault',
      'DBClusterNotFoundFault',
      'DBSnapshotNotFoundFault',
      'DBClusterSnapshotNotFoundFault',
      'InvalidGroup.NotFound',
      'InvalidInstanceID.NotFound',
      'InvalidGroupId.Malformed',
      'InvalidInstanceID.Malformed',
      'ResourceNotFoundException',
    ]) {
      expect(isMissingResource({ name }), name).toBe(true);
    }
  });

  it('is false for every other failure', () => {
    for (const name of ['AccessDenied', 'DBInstanceAlreadyExistsFault', 'InvalidDBInstanceStateFault', 'InvalidPermission.Duplicate', 'NotFoundish', '']) {
      expect(isMissingResource({ name }), name).toBe(false);
    }
  });
});

describe('classifyAwsError', () => {
  const snapshotCall: AwsCallContext = { action: 'rds:DescribeDBSnapshots', scope, resource: 'DB snapshot expired-orders' };

  it('a call about a named thing: missing -> AWS_NOT_FOUND naming it, even when its name reads like "expired"', () => {
    const error = classifyAwsError(rdsError('DBSnapshotNotFoundFault', 'DBSnapshot expired-orders not found.'), snapshotCall);
    expect(error.code).toBe('AWS_NOT_FOUND');
    expect(error.message).toBe('The DB snapshot expired-orders was not found in eu-west-2.');
    expect(error.hint).toBe('Refresh the list: it may have been deleted, or it lives in another region.');
    expect(classifyAwsError({ name: 'InvalidGroup.NotFound' }, { ...snapshotCall, notFoundHint: 'Check the jump box.' }).hint).toBe('Check the jump box.');
  });

  it('a listing (no named thing) never reports not-found: that would be an AWS fault, AWS_REQUEST_FAILED', () => {
    const error = classifyAwsError(rdsError('DBInstanceNotFoundFault'), { action: 'rds:DescribeDBInstances', scope });
    expect(error.code).toBe('AWS_REQUEST_FAILED');
    expect(error.message).toContain('rds:DescribeDBInstances failed: DBInstanceNotFoundFault');
  });

  it('"already exists" on a named thing -> BAD_REQUEST asking for another name', () => {
    const error = classifyAwsError(rdsError('DBInstanceAlreadyExistsFault'), { ...snapshotCall, resource: 'DB instance orders-copy' });
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe('The DB instance orders-copy already exists.');
  });

  it('denied -> AWS_ACCESS_DENIED naming the action and region; a caller hint replaces the default one', () => {
    const denied = new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: {}, message: 'You are not authorized to perform this operation.' });
    const plain = classifyAwsError(denied, { action: 'ec2:DescribeInstances', scope });
    expect(plain.code).toBe('AWS_ACCESS_DENIED');
    expect(plain.message).toBe('AWS profile "prod" may not call ec2:DescribeInstances in eu-west-2.');
    expect(plain.hint).toBe('Ask your AWS administrator to allow ec2:DescribeInstances for your role.');
    expect(plain.details).toEqual({ action: 'ec2:DescribeInstances' });
    expect(classifyAwsError(denied, { action: 'ec2:DescribeInstances', scope, deniedHint: 'Forward this.' }).hint).toBe('Forward this.');
  });

  it('credentials: expired, missing and rejected each say what to run', () => {
    const expired = classifyAwsError({ name: 'ExpiredTokenException', message: 'The security token included in the request is expired' }, { action: 'sts:GetCallerIdentity', scope });
    expect(expired.code).toBe('AWS_CREDENTIALS_EXPIRED');
    expect(expired.hint).toBe('Run: aws sso login --profile prod');
    const missing = classifyAwsError({ name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' }, { action: 'sts:GetCallerIdentity', scope: { region: 'eu-west-2' } });
    expect(missing.code).toBe('AWS_CREDENTIALS_MISSING');
    expect(missing.message).toBe('No AWS credentials were found (none in the environment, ~/.aws/credentials or ~/.aws/config).');
    const invalid = classifyAwsError({ name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' }, { action: 'sts:GetCallerIdentity', scope });
    expect(invalid.code).toBe('AWS_CREDENTIALS_INVALID');
  });

  it('network failures (on the error or its cause) -> AWS_UNREACHABLE; anything else -> AWS_REQUEST_FAILED', () => {
    const refused = classifyAwsError(Object.assign(new Error('connect ECONNREFUSED'), { cause: { code: 'ECONNREFUSED' } }), { action: 'rds:DescribeDBInstances', scope });
    expect(refused.code).toBe('AWS_UNREACHABLE');
    expect(refused.message).toBe('AWS could not be reached for rds:DescribeDBInstances (ECONNREFUSED).');
    const other = classifyAwsError(new SecretsManagerServiceException({ name: 'Throttling', $fault: 'client', $metadata: {}, message: 'Rate exceeded' }), {
      action: 'secretsmanager:GetSecretValue',
      scope,
    });
    expect(other.code).toBe('AWS_REQUEST_FAILED');
    expect(other.message).toBe('secretsmanager:GetSecretValue failed: Throttling (Rate exceeded).');
  });

  it('passes a coded error through unchanged and keeps the SDK error as the cause (never sent across the boundary)', () => {
    const coded = new JumpgateError('BAD_REQUEST', 'no');
    expect(classifyAwsError(coded, snapshotCall)).toBe(coded);
    const original = rdsError('Throttling');
    const classified = classifyAwsError(original, snapshotCall);
    expect(classified.cause).toBe(original);
    expect(classified.toInfo()).not.toHaveProperty('cause');
  });
});

describe('a refusal whose body the SDK could not read', () => {
  const context: AwsCallContext = { action: 'ssm:GetParameter', scope };
  /** What the SDK throws when a JSON service answers 403 with XML (moto with IAM on) or HTML (a proxy). */
  function unreadable(status: number): Error {
    return Object.assign(new SyntaxError('Unexpected token \'<\', "<?xml vers"... is not valid JSON'), { $metadata: { httpStatusCode: status } });
  }

  it('is AWS_ACCESS_DENIED at 403 and stays a failed request at any other status', () => {
    expect(classifyAwsError(unreadable(403), context).code).toBe('AWS_ACCESS_DENIED');
    expect(classifyAwsError(unreadable(500), context).code).toBe('AWS_REQUEST_FAILED');
    expect(classifyAwsError(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 403 } }), context).code).toBe('AWS_REQUEST_FAILED');
  });
});
