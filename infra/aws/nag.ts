import { Stack, type CfnResource } from 'aws-cdk-lib';

/** How cdk-nag spells a resource's `Fn::GetAtt Arn` in a finding id, e.g. `<BucketF1A2.Arn>`. */
export function nagArn(resource: CfnResource): string {
  return `<${Stack.of(resource).getLogicalId(resource)}.Arn>`;
}
