import type * as CredentialProviders from '@aws-sdk/credential-providers';
import type * as Rds from '@aws-sdk/client-rds';
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type * as Sts from '@aws-sdk/client-sts';

/**
 * The AWS SDK modules a tunnel may never need, each loaded on its first use (issue #17's idle
 * weight): importing one runs every command and schema definition of its service at once. A
 * `jumpgate connect` to a host target with a typed password, or `jumpgate serve` until a screen
 * asks AWS, carries none of them. EC2 (ec2Module.ts) and the team SDKs (teamSdkModules.ts) load
 * the same way.
 */
function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}

export const loadRds: () => Promise<typeof Rds> = onFirstUse(() => import('@aws-sdk/client-rds'));
export const loadSecretsManager: () => Promise<typeof SecretsManager> = onFirstUse(() => import('@aws-sdk/client-secrets-manager'));
export const loadSts: () => Promise<typeof Sts> = onFirstUse(() => import('@aws-sdk/client-sts'));
export const loadCredentialProviders: () => Promise<typeof CredentialProviders> = onFirstUse(() => import('@aws-sdk/credential-providers'));
