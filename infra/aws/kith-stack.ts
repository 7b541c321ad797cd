import { CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Construct } from 'constructs';
import { grantAccess, type AccessibleResources } from './access.ts';
import { KithApi } from './api.ts';
import { createFilesBucket } from './bucket.ts';
import { DeadLetters } from './dead-letters.ts';
import { EventPipeline } from './events.ts';
import { KithFunction } from './functions.ts';
import { Identity } from './identity.ts';
import { Schedules } from './schedules.ts';
import { SearchDomain } from './search.ts';
import { assertWireable, isInvokedAsynchronously, KITH_TOPOLOGY, type StackTopology } from './stack-topology.ts';
import type { StageSettings } from './stage.ts';
import { createKithTable } from './table.ts';
import { createSuppressionSalt } from './secrets.ts';

export interface KithStackProps extends StackProps {
  stage: StageSettings;
  /** Defaults to infra/topology.ts; tests pass their own to exercise every part of the generator. */
  topology?: StackTopology;
  /** Where a function's Lambda entry lives; defaults to functions/<name>/handler.ts. */
  entryOf?: (name: string) => string | undefined;
  /** Where prod alarms send mail. */
  alarmEmail?: string;
}

/** Names of the stack outputs, also read by the admin-key bootstrap. */
export const OUTPUTS = {
  apiUrl: 'ApiUrl',
  userPoolId: 'UserPoolId',
  userPoolClientId: 'UserPoolClientId',
  tableName: 'TableName',
  eventBusName: 'EventBusName',
} as const;

/**
 * Kith in one AWS account, generated from the topology: every function, route, subscription
 * and schedule it declares, and the resources their `access` entries name — nothing else.
 */
export class KithStack extends Stack {
  readonly functions: ReadonlyMap<string, KithFunction>;

  constructor(scope: Construct, id: string, props: KithStackProps) {
    super(scope, id, { description: `Kith CRM (${props.stage.name})`, ...props });
    const topology = props.topology ?? KITH_TOPOLOGY;
    const { stage } = props;
    assertWireable(topology);
    Tags.of(this).add('app', 'kith');
    Tags.of(this).add('kith:stage', stage.name);

    const specs = Object.entries(topology.functions);
    const declares = (kind: 'search' | 'bucket' | 'suppressionSalt') => specs.some(([, spec]) => spec.access[kind] !== undefined);

    const table = createKithTable(this, stage);
    const identity = new Identity(this, 'Identity', { stage });
    const deadLetters = new DeadLetters(this, 'DeadLetters', { stage, alarmEmail: props.alarmEmail });
    const search = declares('search') ? new SearchDomain(this, 'Search', { stage }) : undefined;
    const bucket = declares('bucket') ? createFilesBucket(this, stage) : undefined;
    const suppressionSalt = declares('suppressionSalt') ? createSuppressionSalt(this, stage) : undefined;

    const functions = new Map<string, KithFunction>();
    for (const [name, spec] of specs) {
      functions.set(name, new KithFunction(this, `Function-${name}`, { name, spec, stage, entry: props.entryOf?.(name) }));
    }
    this.functions = functions;

    const events = new EventPipeline(this, 'Events', { topology, functions, table, deadLetters, stage });
    const resources: AccessibleResources = { table, bus: events.bus, search, bucket, identity, suppressionSalt };
    for (const [name, spec] of specs) {
      const fn = functions.get(name)!;
      grantAccess(fn, spec.access, resources);
      if (isInvokedAsynchronously(topology, name)) {
        // EventBridge and Scheduler hand the event to Lambda's queue; a handler that keeps
        // failing is retried by Lambda, then its event lands here.
        fn.function.configureAsyncInvoke({
          retryAttempts: topology.eventDelivery.maxAttempts - 1,
          maxEventAge: Duration.seconds(topology.eventDelivery.maximumEventAgeSeconds),
          onFailure: new SqsDestination(
            deadLetters.queue(`Function-${name}-Failures`, `the ${name} function (events its handler failed)`),
          ),
        });
      }
    }

    const api = new KithApi(this, 'Api', { topology, functions, stage });
    new Schedules(this, 'Schedules', { topology, functions, deadLetters });

    new CfnOutput(this, OUTPUTS.apiUrl, { value: api.url, description: 'Base URL of the Kith HTTP API' });
    new CfnOutput(this, OUTPUTS.userPoolId, {
      value: identity.userPool.userPoolId,
      description: 'Cognito user pool (groups = roles)',
    });
    new CfnOutput(this, OUTPUTS.userPoolClientId, { value: identity.client.userPoolClientId, description: 'Cognito app client' });
    new CfnOutput(this, OUTPUTS.tableName, { value: table.tableName, description: 'The DynamoDB table' });
    new CfnOutput(this, OUTPUTS.eventBusName, { value: events.bus.eventBusName, description: 'The Kith event bus' });
  }
}
