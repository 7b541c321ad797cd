import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, type EventPattern as CdkEventPattern } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { Construct } from 'constructs';
import { DELIVERY } from '../../shared/domain/limits.ts';
import type { BusEntry } from '../../shared/events/types.ts';
import type { EventPattern } from '../topology.ts';
import type { DeadLetters } from './dead-letters.ts';
import { lambdaOf, type KithFunction } from './functions.ts';
import type { StackTopology } from './stack-topology.ts';
import type { StageSettings } from './stage.ts';

/** A dynamic path into one element of the stream publisher's answer (a BusEntry). */
const published = (field: keyof BusEntry) => `$.${field}`;

export interface EventPipelineProps {
  topology: StackTopology;
  functions: ReadonlyMap<string, KithFunction>;
  table: Table;
  deadLetters: DeadLetters;
  stage: StageSettings;
}

/**
 * Table stream → EventBridge Pipe (enrichment: the stream publisher, which turns a batch of
 * stream records into domain events) → the Kith bus → one rule per topology subscription →
 * its function. Every hop retries a bounded number of times and then dead-letters.
 */
export class EventPipeline extends Construct {
  readonly bus: EventBus;
  readonly pipe: CfnPipe | undefined;

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    const { topology, functions, deadLetters } = props;

    this.bus = new EventBus(this, 'Bus', { description: 'Kith domain events (source "kith")' });

    if (topology.changeStream) {
      this.pipe = this.createPipe(
        props,
        topology.changeStream,
        lambdaOf(functions, topology.changeStream.enrichment).functionArn,
      );
    }

    for (const subscription of topology.subscriptions) {
      new Rule(this, `Rule-${subscription.name}`, {
        eventBus: this.bus,
        description: `${subscription.name}: ${subscription.description}`,
        eventPattern: toCdkEventPattern(subscription.pattern),
        targets: [
          new LambdaFunction(lambdaOf(functions, subscription.function), {
            deadLetterQueue: deadLetters.queue(`Rule-${subscription.name}-DeadLetters`, `the subscription ${subscription.name}`),
            retryAttempts: DELIVERY.targetMaxRetries,
            maxEventAge: Duration.seconds(DELIVERY.targetMaxEventAgeSeconds),
          }),
        ],
      });
    }
  }

  private createPipe(
    props: EventPipelineProps,
    stream: NonNullable<StackTopology['changeStream']>,
    enrichmentArn: string,
  ): CfnPipe {
    const { table, deadLetters, stage } = props;
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error('The table has no stream for the Pipe to read.');

    const deadLetterQueue = deadLetters.queue(
      'PipeDeadLetters',
      'the table stream Pipe (batches the stream publisher could not turn into events)',
    );
    const logs = new LogGroup(this, 'PipeLogs', { retention: stage.logRetention, removalPolicy: stage.removalPolicy });
    const role = new Role(this, 'PipeRole', {
      // Only pipes of this account may assume it (confused-deputy protection).
      assumedBy: new ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Kith Pipe: reads the table stream, calls the stream publisher, puts events on the bus',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [enrichmentArn] }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }));
    deadLetterQueue.grantSendMessages(role);
    logs.grantWrite(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams has no resource-level permissions (it lists stream ARNs, no data); every other action names its resource.',
    });

    const pipe = new CfnPipe(this, 'Pipe', {
      description: 'Kith table stream → stream publisher → event bus',
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          // Exactly the topology's changeStream, which the local poller also follows.
          startingPosition: stream.startingPosition,
          batchSize: stream.batchSize,
          maximumBatchingWindowInSeconds: stream.maximumBatchingWindowSeconds,
          maximumRetryAttempts: stream.maximumRetryAttempts,
          maximumRecordAgeInSeconds: stream.maximumRecordAgeSeconds,
          onPartialBatchItemFailure: stream.onPartialBatchItemFailure,
          deadLetterConfig: { arn: deadLetterQueue.queueArn },
        },
      },
      enrichment: enrichmentArn,
      target: this.bus.eventBusArn,
      targetParameters: {
        // Each element the publisher answers becomes one event, its fields mapped one to one.
        eventBridgeEventBusParameters: {
          detailType: published('detail-type'),
          source: published('source'),
          time: published('time'),
        },
        inputTemplate: `<${published('detail')}>`,
      },
      logConfiguration: {
        level: 'ERROR',
        cloudwatchLogsLogDestination: { logGroupArn: logs.logGroupArn },
      },
    });
    // The role's policy must exist before the Pipe validates its source and targets.
    pipe.node.addDependency(role);
    return pipe;
  }
}

/**
 * The topology's pattern in CDK's spelling (`detailType`), which CDK renders back to
 * `detail-type` unchanged; CDK types matchers as strings though EventBridge takes objects too.
 */
export function toCdkEventPattern(pattern: EventPattern): CdkEventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType ? { detailType } : {}) } as CdkEventPattern;
}
