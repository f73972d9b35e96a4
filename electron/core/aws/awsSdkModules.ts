import type * as Ec2 from '@aws-sdk/client-ec2';
import type * as Rds from '@aws-sdk/client-rds';
import type * as S3 from '@aws-sdk/client-s3';
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type * as Ssm from '@aws-sdk/client-ssm';
import type * as Sts from '@aws-sdk/client-sts';
import type * as CredentialProviders from '@aws-sdk/credential-providers';

/**
 * Every AWS SDK module Jumpgate uses, each loaded on its first use (issue #17's idle weight):
 * importing one runs every command and schema definition of its service at once. EC2 alone is
 * about 53 MB resident (every EC2 API, for five security-group calls); Parameter Store and S3 are
 * for team profiles; RDS, Secrets Manager, STS and the credential providers for what a screen or
 * a target asks AWS. A `jumpgate connect` to a host target with a typed password, or
 * `jumpgate serve` until a screen asks AWS, carries none of them. In the built CLI each is a chunk
 * file of its own, which Node reads only then (scripts/cliBuildOptions.mjs).
 */
/** `load` run once, on the first call; every call gets its promise. */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}

export const loadEc2: () => Promise<typeof Ec2> = onFirstUse(() => import('@aws-sdk/client-ec2'));
export const loadSsm: () => Promise<typeof Ssm> = onFirstUse(() => import('@aws-sdk/client-ssm'));
export const loadS3: () => Promise<typeof S3> = onFirstUse(() => import('@aws-sdk/client-s3'));
export const loadRds: () => Promise<typeof Rds> = onFirstUse(() => import('@aws-sdk/client-rds'));
export const loadSecretsManager: () => Promise<typeof SecretsManager> = onFirstUse(() => import('@aws-sdk/client-secrets-manager'));
export const loadSts: () => Promise<typeof Sts> = onFirstUse(() => import('@aws-sdk/client-sts'));
export const loadCredentialProviders: () => Promise<typeof CredentialProviders> = onFirstUse(() => import('@aws-sdk/credential-providers'));
