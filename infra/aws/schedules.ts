import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DELIVERY } from '../../shared/domain/limits.ts';
import type { ScheduledInvocation } from '../../shared/events/types.ts';
import type { DeadLetters } from './dead-letters.ts';
import { lambdaOf, type KithFunction } from './functions.ts';
import type { StackTopology } from './stack-topology.ts';

/** What a scheduled function receives (a ScheduledInvocation); Scheduler fills in the time it was due. */
export function scheduleInput(name: string): string {
  const invocation: ScheduledInvocation = { schedule: name, scheduledTime: '<aws.scheduler.scheduled-time>' };
  return JSON.stringify(invocation);
}

/**
 * One EventBridge Scheduler schedule per topology schedule (UTC, no flexible window), each with
 * its own role that may invoke exactly its function and write to exactly its dead-letter queue.
 */
export class Schedules extends Construct {
  constructor(
    scope: Construct,
    id: string,
    props: { topology: StackTopology; functions: ReadonlyMap<string, KithFunction>; deadLetters: DeadLetters },
  ) {
    super(scope, id);
    for (const schedule of props.topology.schedules) {
      const fn = lambdaOf(props.functions, schedule.function);
      const deadLetterQueue = props.deadLetters.queue(`Schedule-${schedule.name}-DeadLetters`, `the schedule ${schedule.name}`);
      const role = new Role(this, `Role-${schedule.name}`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description: `Kith schedule ${schedule.name}: invokes its function, dead-letters to its queue`,
      });
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }));

      const cfnSchedule = new CfnSchedule(this, `Schedule-${schedule.name}`, {
        description: `${schedule.name}: ${schedule.description}`,
        scheduleExpression: schedule.expression,
        scheduleExpressionTimezone: 'UTC',
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: fn.functionArn,
          roleArn: role.roleArn,
          input: scheduleInput(schedule.name),
          retryPolicy: {
            maximumRetryAttempts: DELIVERY.targetMaxRetries,
            maximumEventAgeInSeconds: DELIVERY.targetMaxEventAgeSeconds,
          },
          deadLetterConfig: { arn: deadLetterQueue.queueArn },
        },
      });
      cfnSchedule.node.addDependency(role);
    }
  }
}
