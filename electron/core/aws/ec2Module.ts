import type * as Ec2 from '@aws-sdk/client-ec2';

let loading: Promise<typeof Ec2> | undefined;

/**
 * The EC2 SDK, loaded when the first security-group call needs it. It is the heaviest module
 * Jumpgate has (about 53 MB resident once loaded: every EC2 API's commands and schemas), and a
 * tunnel never needs it: `jumpgate connect` idled at 190 MB with it loaded at start (issue #17).
 */
export function loadEc2(): Promise<typeof Ec2> {
  loading ??= import('@aws-sdk/client-ec2');
  return loading;
}
