import { beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { changeStream, routeKey } from '../../infra/topology.ts';
import { OUTPUTS } from '../../infra/aws/kith-stack.ts';
import { scheduleInput } from '../../infra/aws/schedules.ts';
import { OPENSEARCH_ENGINE } from '../../infra/aws/search.ts';
import { STAGE_SETTINGS } from '../../infra/aws/stage.ts';
import { isInvokedAsynchronously } from '../../infra/aws/stack-topology.ts';
import { DELIVERY, LIMITS } from '../../shared/domain/limits.ts';
import { TABLE } from '../../shared/store/table.ts';
import { asArray, functionLogicalIds, referencedIds, resourcesOf, synthesize, type Synthesized } from '../helpers/stack.ts';
import { FULL_TOPOLOGY, fixtureEntry } from './fixtures/topology.ts';

let dev: Synthesized;
let prod: Synthesized;
let kith: Synthesized;
beforeAll(() => {
  dev = synthesize({ topology: FULL_TOPOLOGY, entryOf: fixtureEntry });
  prod = synthesize({ stage: 'prod', topology: FULL_TOPOLOGY, entryOf: fixtureEntry, alarmEmail: 'ops@example.com' });
  kith = synthesize();
});

const { 'stream-publisher': _publisher, ...withoutPublisher } = FULL_TOPOLOGY.functions;

const single = <T>(record: Record<string, T>): [string, T] => {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};

describe('the HTTP API', () => {
  it('gives every route of the topology an integration, and the authorizer unless it is public', () => {
    const { template } = dev;
    const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));
    const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
    const [authorizerId] = single(resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer'));
    const functions = functionLogicalIds(template);

    for (const spec of FULL_TOPOLOGY.routes) {
      const route = routes.find((r) => r.Properties!.RouteKey === routeKey(spec));
      expect(route, routeKey(spec)).toBeDefined();
      const integrationId = String(route!.Properties!.Target['Fn::Join'][1][1].Ref);
      expect(referencedIds(integrations[integrationId]!.Properties!.IntegrationUri), routeKey(spec)).toContain(
        functions.get(spec.function),
      );
      if (spec.permission === 'public') {
        expect(route!.Properties!.AuthorizationType, routeKey(spec)).toBe('NONE');
      } else {
        expect(route!.Properties!.AuthorizationType, routeKey(spec)).toBe('CUSTOM');
        expect(route!.Properties!.AuthorizerId, routeKey(spec)).toEqual({ Ref: authorizerId });
      }
    }
  });

  it('sends $default to the fallback function without the authorizer', () => {
    const routes = Object.values(resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route'));
    const fallback = routes.find((r) => r.Properties!.RouteKey === '$default');
    expect(fallback?.Properties!.AuthorizationType).toBe('NONE');
    const integrationId = String(fallback!.Properties!.Target['Fn::Join'][1][1].Ref);
    const integration = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Integration')[integrationId]!;
    expect(referencedIds(integration.Properties!.IntegrationUri)).toContain(
      functionLogicalIds(dev.template).get(FULL_TOPOLOGY.gateway.fallback),
    );
  });

  it('has one integration and one invoke permission per function, however many routes it serves', () => {
    const routeFunctions = new Set([...FULL_TOPOLOGY.routes.map((r) => r.function), FULL_TOPOLOGY.gateway.fallback]);
    dev.template.resourceCountIs('AWS::ApiGatewayV2::Integration', routeFunctions.size);
    const functions = functionLogicalIds(dev.template);
    const permissions = Object.values(resourcesOf(dev.template, 'AWS::Lambda::Permission')).filter(
      (p) => p.Properties!.Principal === 'apigateway.amazonaws.com',
    );
    for (const name of routeFunctions) {
      const own = permissions.filter((p) => referencedIds(p.Properties!.FunctionName).has(functions.get(name)!));
      expect(own, name).toHaveLength(1);
    }
  });

  it('authorizes with one Lambda authorizer: simple responses, the Authorization header, a result cache', () => {
    const [, authorizer] = single(resourcesOf(dev.template, 'AWS::ApiGatewayV2::Authorizer'));
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: LIMITS.authorizerResultCacheSeconds,
    });
    expect(referencedIds(authorizer.Properties!.AuthorizerUri)).toContain(
      functionLogicalIds(dev.template).get(FULL_TOPOLOGY.gateway.authorizer),
    );
  });

  it('logs every request to its own log group and throttles per stage', () => {
    for (const { template } of [dev, prod]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId"') },
      });
    }
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: {
        ThrottlingRateLimit: STAGE_SETTINGS.prod.apiThrottle.rateLimit,
        ThrottlingBurstLimit: STAGE_SETTINGS.prod.apiThrottle.burstLimit,
      },
    });
  });
});

describe('the functions', () => {
  it('run every topology function on Node 24, arm64, traced, with its memory, timeout and own log group', () => {
    const lambdas = resourcesOf(dev.template, 'AWS::Lambda::Function');
    const logGroups = resourcesOf(dev.template, 'AWS::Logs::LogGroup');
    for (const [name, id] of functionLogicalIds(dev.template)) {
      const spec = FULL_TOPOLOGY.functions[name]!;
      const props = lambdas[id]!.Properties!;
      expect(props, name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: 'kith',
            POWERTOOLS_LOG_LEVEL: STAGE_SETTINGS.dev.logLevel,
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
      expect(
        prod.template.toJSON().Resources[functionLogicalIds(prod.template).get(name)!].Properties.Environment.Variables
          .NODE_OPTIONS,
        `${name} in prod starts without parsing its source map`,
      ).toBeUndefined();
      const logGroupId = [...referencedIds(props.LoggingConfig)][0]!;
      expect(logGroups[logGroupId]?.Properties!.RetentionInDays, name).toBe(STAGE_SETTINGS.dev.logRetention);
    }
  });

  it('retries asynchronous invocations twice and then sends them to an alarmed failure queue', () => {
    const configs = Object.values(resourcesOf(dev.template, 'AWS::Lambda::EventInvokeConfig'));
    const functions = functionLogicalIds(dev.template);
    for (const name of Object.keys(FULL_TOPOLOGY.functions)) {
      const config = configs.find((c) => referencedIds(c.Properties!.FunctionName).has(functions.get(name)!));
      if (!isInvokedAsynchronously(FULL_TOPOLOGY, name)) {
        expect(config, name).toBeUndefined();
        continue;
      }
      expect(config?.Properties, name).toMatchObject({
        MaximumRetryAttempts: FULL_TOPOLOGY.eventDelivery.maxAttempts - 1,
        MaximumEventAgeInSeconds: FULL_TOPOLOGY.eventDelivery.maximumEventAgeSeconds,
      });
      const queueId = [...referencedIds(config!.Properties!.DestinationConfig.OnFailure.Destination)][0]!;
      expectAlarmed(dev, queueId);
    }
  });
});

/** The queue exists, is encrypted, keeps messages 14 days, and an alarm fires on its first message. */
function expectAlarmed({ template }: Synthesized, queueId: string) {
  const queue = resourcesOf(template, 'AWS::SQS::Queue')[queueId];
  expect(queue, queueId).toBeDefined();
  expect(queue!.Properties).toMatchObject({
    SqsManagedSseEnabled: true,
    MessageRetentionPeriod: DELIVERY.deadLetterRetentionDays * 24 * 60 * 60,
  });
  const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter((alarm) =>
    referencedIds(alarm.Properties!.Dimensions).has(queueId),
  );
  expect(alarms, queueId).toHaveLength(1);
  expect(alarms[0]!.Properties).toMatchObject({
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
}

describe('the table', () => {
  it('is the table of shared/store/table.ts, with its stream, point-in-time recovery and TTL', () => {
    for (const [stage, { template }] of [
      ['dev', dev],
      ['prod', prod],
    ] as const) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: TABLE.stream },
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: {
          PointInTimeRecoveryEnabled: true,
          RecoveryPeriodInDays: STAGE_SETTINGS[stage].pointInTimeRecoveryDays,
        },
        GlobalSecondaryIndexes: Object.values(TABLE.indexes).map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      });
    }
  });

  it('is protected from deletion and retained in prod, disposable in dev', () => {
    prod.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
    });
    dev.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
    });
  });
});

describe('the event pipeline', () => {
  it('pipes the table stream through the stream publisher onto the bus, retrying boundedly into a dead-letter queue', () => {
    const [, pipe] = single(resourcesOf(dev.template, 'AWS::Pipes::Pipe'));
    const [tableId] = single(resourcesOf(dev.template, 'AWS::DynamoDB::Table'));
    const [busId] = single(resourcesOf(dev.template, 'AWS::Events::EventBus'));
    expect(pipe.Properties!.Source).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(referencedIds(pipe.Properties!.Enrichment)).toContain(
      functionLogicalIds(dev.template).get(FULL_TOPOLOGY.changeStream!.enrichment),
    );
    expect(referencedIds(pipe.Properties!.Target)).toContain(busId);
    expect(pipe.Properties!.SourceParameters.DynamoDBStreamParameters).toMatchObject({
      StartingPosition: changeStream.startingPosition,
      BatchSize: changeStream.batchSize,
      MaximumBatchingWindowInSeconds: changeStream.maximumBatchingWindowSeconds,
      MaximumRetryAttempts: changeStream.maximumRetryAttempts,
      MaximumRecordAgeInSeconds: changeStream.maximumRecordAgeSeconds,
      OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
    });
    const deadLetterQueueId = [...referencedIds(pipe.Properties!.SourceParameters.DynamoDBStreamParameters.DeadLetterConfig)][0]!;
    expectAlarmed(dev, deadLetterQueueId);
  });

  it('puts each element the publisher answers as one event: its detail-type, source, time and detail', () => {
    const [, pipe] = single(resourcesOf(dev.template, 'AWS::Pipes::Pipe'));
    expect(pipe.Properties!.TargetParameters).toEqual({
      EventBridgeEventBusParameters: { DetailType: '$.detail-type', Source: '$.source', Time: '$.time' },
      InputTemplate: '<$.detail>',
    });
  });

  it('has no Pipe when a topology has no change stream', () => {
    const { template } = synthesize({
      topology: { ...FULL_TOPOLOGY, changeStream: null, functions: withoutPublisher },
      entryOf: fixtureEntry,
    });
    template.resourceCountIs('AWS::Pipes::Pipe', 0);
  });

  it('gives every subscription a rule with its pattern unchanged, a retry policy and its own alarmed dead-letter queue', () => {
    const rules = Object.values(resourcesOf(dev.template, 'AWS::Events::Rule'));
    const [busId] = single(resourcesOf(dev.template, 'AWS::Events::EventBus'));
    const functions = functionLogicalIds(dev.template);
    const queues = new Set<string>();
    for (const subscription of FULL_TOPOLOGY.subscriptions) {
      const rule = rules.find((r) => String(r.Properties!.Description).startsWith(`${subscription.name}:`));
      expect(rule, subscription.name).toBeDefined();
      expect(rule!.Properties!.EventPattern, subscription.name).toEqual(subscription.pattern);
      expect(rule!.Properties!.EventBusName).toEqual({ Ref: busId });
      const [target, ...others] = asArray(rule!.Properties!.Targets);
      expect(others).toEqual([]);
      expect(referencedIds(target.Arn)).toContain(functions.get(subscription.function));
      expect(target.RetryPolicy).toEqual({
        MaximumRetryAttempts: DELIVERY.targetMaxRetries,
        MaximumEventAgeInSeconds: DELIVERY.targetMaxEventAgeSeconds,
      });
      const queueId = [...referencedIds(target.DeadLetterConfig)][0]!;
      expectAlarmed(dev, queueId);
      queues.add(queueId);
    }
    expect(queues.size).toBe(FULL_TOPOLOGY.subscriptions.length);
  });
});

describe('the schedules', () => {
  it('invoke their function with { schedule, scheduledTime }, retry boundedly and dead-letter to an alarmed queue', () => {
    const schedules = Object.values(resourcesOf(dev.template, 'AWS::Scheduler::Schedule'));
    const functions = functionLogicalIds(dev.template);
    expect(schedules).toHaveLength(FULL_TOPOLOGY.schedules.length);
    for (const spec of FULL_TOPOLOGY.schedules) {
      const schedule = schedules.find((s) => s.Properties!.Description.startsWith(`${spec.name}:`));
      expect(schedule?.Properties, spec.name).toMatchObject({
        ScheduleExpression: spec.expression,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Input: scheduleInput(spec.name),
          RetryPolicy: {
            MaximumRetryAttempts: DELIVERY.targetMaxRetries,
            MaximumEventAgeInSeconds: DELIVERY.targetMaxEventAgeSeconds,
          },
        },
      });
      expect(JSON.parse(schedule!.Properties!.Target.Input)).toEqual({
        schedule: spec.name,
        scheduledTime: '<aws.scheduler.scheduled-time>',
      });
      expect(referencedIds(schedule!.Properties!.Target.Arn)).toContain(functions.get(spec.function));
      expectAlarmed(dev, [...referencedIds(schedule!.Properties!.Target.DeadLetterConfig)][0]!);
    }
  });
});

describe('the search domain', () => {
  it('exists only when some function declares search access', () => {
    dev.template.resourceCountIs('AWS::OpenSearchService::Domain', 1);
    // Kith's own topology searches (http-api, search-indexer): one domain…
    kith.template.resourceCountIs('AWS::OpenSearchService::Domain', 1);
    // …and the same topology with no search access has none.
    const functions = Object.fromEntries(
      Object.entries(FULL_TOPOLOGY.functions).map(([name, spec]) => {
        const { search: _search, ...access } = spec.access as Record<string, unknown>;
        return [name, { ...spec, access }];
      }),
    ) as typeof FULL_TOPOLOGY.functions;
    synthesize({ topology: { ...FULL_TOPOLOGY, functions }, entryOf: fixtureEntry }).template.resourceCountIs(
      'AWS::OpenSearchService::Domain',
      0,
    );
  });

  it('encrypts at rest and between nodes, answers HTTPS with TLS 1.2 only, and publishes its slow logs', () => {
    for (const { template } of [dev, prod]) {
      template.hasResourceProperties('AWS::OpenSearchService::Domain', {
        EngineVersion: OPENSEARCH_ENGINE,
        EncryptionAtRestOptions: { Enabled: true },
        NodeToNodeEncryptionOptions: { Enabled: true },
        DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: Match.stringLikeRegexp('^Policy-Min-TLS-1-2') },
        AdvancedSecurityOptions: { Enabled: false },
        LogPublishingOptions: {
          SEARCH_SLOW_LOGS: Match.objectLike({ Enabled: true }),
          INDEX_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        },
      });
    }
  });

  it('is one small node in dev and two nodes in two zones in prod', () => {
    dev.template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: { InstanceCount: 1, InstanceType: STAGE_SETTINGS.dev.search.instanceType, ZoneAwarenessEnabled: false },
    });
    prod.template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: {
        InstanceCount: 2,
        InstanceType: STAGE_SETTINGS.prod.search.instanceType,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 2 },
      },
    });
  });
});

describe('the files bucket', () => {
  it('exists only when some function declares bucket access, private, encrypted, TLS-only and self-expiring', () => {
    // Kith's own topology declares bucket access (imports and exports): the files bucket and its access logs.
    kith.template.resourceCountIs('AWS::S3::Bucket', 2);
    dev.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
      LoggingConfiguration: Match.objectLike({}),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 7, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'exports/', ExpirationInDays: 7, Status: 'Enabled' }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
    for (const policy of Object.values(resourcesOf(dev.template, 'AWS::S3::BucketPolicy'))) {
      expect(policy.Properties!.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('identity', () => {
  it('is a user pool whose groups are the roles, with MFA and no self sign-up, and an app client without secret', () => {
    kith.template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UserPoolTier: 'PLUS',
    });
    const groups = Object.values(resourcesOf(kith.template, 'AWS::Cognito::UserPoolGroup')).map((g) => g.Properties!.GroupName);
    expect(groups.sort()).toEqual(['admin', 'manager', 'member', 'viewer']);
    kith.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
    });
  });
});

describe('alarms', () => {
  it('notify an encrypted topic in prod and only show in the console in dev', () => {
    prod.template.resourceCountIs('AWS::SNS::Topic', 1);
    prod.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    prod.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    for (const alarm of Object.values(resourcesOf(prod.template, 'AWS::CloudWatch::Alarm'))) {
      expect(asArray(alarm.Properties!.AlarmActions)).toHaveLength(1);
    }
    dev.template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(resourcesOf(dev.template, 'AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties!.AlarmActions).toBeUndefined();
    }
  });
});

describe('outputs', () => {
  it('name the API URL, the user pool and its client, and the table', () => {
    const outputs = kith.template.toJSON().Outputs as Record<string, unknown>;
    for (const name of [OUTPUTS.apiUrl, OUTPUTS.userPoolId, OUTPUTS.userPoolClientId, OUTPUTS.tableName]) {
      expect(
        Object.keys(outputs).some((key) => key.startsWith(name)),
        name,
      ).toBe(true);
    }
  });
});
