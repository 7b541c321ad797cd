import { Lazy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, ResourcePolicy } from 'aws-cdk-lib/aws-logs';
import { CfnDomain, TLSSecurityPolicy } from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import type { StageSettings } from './stage.ts';

/** The version the search adapter's integration tests run against (scripts/opensearch.sh). */
export const OPENSEARCH_ENGINE = 'OpenSearch_2.19';

/** What one role may do on the domain: the identity policy and the domain's own policy say the same. */
export interface SearchPermission {
  actions: string[];
  /** Paths under the domain, e.g. `*` or `*\/_search`. */
  paths: string[];
}

/**
 * An OpenSearch Service domain for the search index. No fine-grained access control: access is
 * IAM only (requests signed with SigV4, service `es`), granted to the roles of the functions
 * whose topology entry declares `search`, both in their own policies and in the domain's, with
 * the same actions — in one account either policy alone would suffice, so they must agree.
 */
export class SearchDomain extends Construct {
  readonly domain: CfnDomain;
  /** `https://…`, the OPENSEARCH_URL of the functions. */
  readonly url: string;
  /** For identity policies (a GetAtt). */
  readonly arn: string;
  private readonly grants: { role: IRole; permission: SearchPermission }[] = [];

  constructor(scope: Construct, id: string, props: { stage: StageSettings }) {
    super(scope, id);
    const { stage } = props;
    const stack = Stack.of(this);
    // The domain's own policy cannot GetAtt the domain, so the domain gets a name to spell its ARN with.
    const domainName = domainNameFor(stack.stackName);
    const ownArn = stack.formatArn({ service: 'es', resource: 'domain', resourceName: domainName });

    const logs = {
      SEARCH_SLOW_LOGS: new LogGroup(this, 'SearchSlowLogs', {
        retention: stage.logRetention,
        removalPolicy: stage.removalPolicy,
      }),
      INDEX_SLOW_LOGS: new LogGroup(this, 'IndexSlowLogs', { retention: stage.logRetention, removalPolicy: stage.removalPolicy }),
      ES_APPLICATION_LOGS: new LogGroup(this, 'ApplicationLogs', {
        retention: stage.logRetention,
        removalPolicy: stage.removalPolicy,
      }),
    };
    // One CloudWatch Logs resource policy for all three (an account has at most 10 per region);
    // a native resource rather than the L2 Domain's custom resource Lambda.
    const logsPolicy = new ResourcePolicy(this, 'LogsPolicy', {
      policyStatements: [
        new PolicyStatement({
          principals: [new ServicePrincipal('es.amazonaws.com')],
          actions: ['logs:PutLogEvents', 'logs:CreateLogStream'],
          resources: Object.values(logs).map((group) => group.logGroupArn),
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      ],
    });

    this.domain = new CfnDomain(this, 'Domain', {
      domainName,
      engineVersion: OPENSEARCH_ENGINE,
      clusterConfig: {
        instanceType: stage.search.instanceType,
        instanceCount: stage.search.dataNodes,
        zoneAwarenessEnabled: stage.search.availabilityZones > 1,
        ...(stage.search.availabilityZones > 1
          ? { zoneAwarenessConfig: { availabilityZoneCount: stage.search.availabilityZones } }
          : {}),
      },
      ebsOptions: { ebsEnabled: true, volumeType: 'gp3', volumeSize: stage.search.volumeGb },
      encryptionAtRestOptions: { enabled: true },
      nodeToNodeEncryptionOptions: { enabled: true },
      domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: TLSSecurityPolicy.TLS_1_2_PFS },
      advancedSecurityOptions: { enabled: false },
      softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
      logPublishingOptions: Object.fromEntries(
        Object.entries(logs).map(([kind, group]) => [kind, { enabled: true, cloudWatchLogsLogGroupArn: group.logGroupArn }]),
      ),
      accessPolicies: Lazy.any({
        produce: () =>
          new PolicyDocument({
            statements: this.grants.map(
              ({ role, permission }) =>
                new PolicyStatement({
                  principals: [role],
                  actions: permission.actions,
                  resources: permission.paths.map((path) => `${ownArn}/${path}`),
                }),
            ),
          }).toJSON(),
      }),
    });
    this.domain.applyRemovalPolicy(stage.removalPolicy);
    this.domain.node.addDependency(logsPolicy);
    this.url = `https://${this.domain.attrDomainEndpoint}`;
    this.arn = this.domain.attrArn;

    Validations.of(this.domain).acknowledge(
      {
        id: 'AwsSolutions-OS1',
        reason:
          'Outside a VPC so the functions stay outside one too (no NAT gateway or VPC endpoints, faster cold starts); every request must be SigV4-signed by one of the roles the domain policy names.',
      },
      {
        id: 'AwsSolutions-OS3',
        reason:
          'Access is granted to named IAM roles (SigV4), not IP addresses: Lambda has no fixed source address outside a VPC.',
      },
      {
        id: 'AwsSolutions-OS4',
        reason:
          'Dedicated master nodes triple the cost of a small team index; the index is derived data that `reindex` rebuilds from the table.',
      },
    );
    if (stage.search.availabilityZones === 1) {
      Validations.of(this.domain).acknowledge({
        id: 'AwsSolutions-OS7',
        reason: `One data node in the ${stage.name} stage; prod spreads its nodes over two zones.`,
      });
    }
  }

  /** Lets `role` do `permission` in the domain's own policy (the caller grants the identity side). */
  allow(role: IRole, permission: SearchPermission): void {
    this.grants.push({ role, permission });
  }
}

/** 3–28 characters, lower-case letters, digits and hyphens, starting with a letter. */
export function domainNameFor(stackName: string): string {
  const name = stackName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 28)
    .replace(/-+$/, '');
  return name.length >= 3 ? name : `kith-${name}`.slice(0, 28);
}
