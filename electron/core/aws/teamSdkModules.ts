import type * as S3 from '@aws-sdk/client-s3';
import type * as Ssm from '@aws-sdk/client-ssm';

let loadingSsm: Promise<typeof Ssm> | undefined;
let loadingS3: Promise<typeof S3> | undefined;

/**
 * The Parameter Store and S3 SDKs, loaded when a team's profiles are first published or fetched
 * (issue #16). Like EC2's (ec2Module.ts), they are large, and a tunnel never needs them: a
 * `jumpgate connect` must not carry them (issue #17's process weight).
 */
export function loadSsm(): Promise<typeof Ssm> {
  loadingSsm ??= import('@aws-sdk/client-ssm');
  return loadingSsm;
}

export function loadS3(): Promise<typeof S3> {
  loadingS3 ??= import('@aws-sdk/client-s3');
  return loadingS3;
}
