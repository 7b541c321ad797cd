import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { DELIVERY } from '../../shared/domain/limits.ts';
import type { StageSettings } from './stage.ts';

export interface DeadLettersProps {
  stage: StageSettings;
  /** Where prod alarms send mail; without it the topic exists and a subscription can be added later. */
  alarmEmail?: string;
}

/**
 * Every place an event can end up after its retries: one encrypted SQS queue per source, each
 * with an alarm that fires on the first message. In prod the alarms notify one SNS topic.
 */
export class DeadLetters extends Construct {
  readonly topic: Topic | undefined;

  constructor(scope: Construct, id: string, props: DeadLettersProps) {
    super(scope, id);
    if (!props.stage.alarmNotifications) return;

    // CloudWatch can only publish to an encrypted topic whose key lets it: the AWS-managed
    // aws/sns key cannot, so the topic gets a customer-managed key.
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Kith alarm topic',
      enableKeyRotation: true,
      removalPolicy: props.stage.removalPolicy,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Kith alarms', masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
  }

  /** A dead-letter queue, alarmed. `source` says what sends to it, for the reader of the alarm. */
  queue(id: string, source: string): Queue {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(DELIVERY.deadLetterRetentionDays),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the dead-letter queue of ${source}; a dead-letter queue of a dead-letter queue would only move the problem.`,
    });
    const alarm = new Alarm(this, `${id}Alarm`, {
      alarmDescription: `Messages in the dead-letter queue of ${source}: inspect them, fix the cause, then redrive.`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (this.topic) alarm.addAlarmAction(new SnsAction(this.topic));
    return queue;
  }
}
