import { beforeAll, describe, expect, it } from 'vitest';
import type { FunctionAccess } from '../../infra/topology.ts';
import { ENVIRONMENT } from '../../infra/aws/access.ts';
import { isInvokedAsynchronously } from '../../infra/aws/stack-topology.ts';
import { cognitoFromEnv } from '../../functions/authorizer/app.ts';
import { storeConfigFromEnv } from '../../shared/store/client.ts';
import {
  asArray,
  functionLogicalIds,
  referencedIds,
  resourcesOf,
  statementsOfFunction,
  synthesize,
  type Synthesized,
} from '../helpers/stack.ts';
import { FULL_TOPOLOGY, fixtureEntry } from './fixtures/topology.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize({ topology: FULL_TOPOLOGY, entryOf: fixtureEntry });
});

/** One statement flattened to what it allows: each action on each resource (references as logical ids). */
interface Allowance {
  action: string;
  resource: string;
  ids: Set<string>;
}

function allowancesOf(statements: any[]): Allowance[] {
  return statements.flatMap((statement) => {
    expect(statement.Effect).toBe('Allow');
    return asArray<string>(statement.Action).flatMap((action) =>
      asArray<unknown>(statement.Resource).map((resource) => ({
        action,
        resource: JSON.stringify(resource),
        ids: referencedIds(resource),
      })),
    );
  });
}

const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const SEARCH_WRITES = ['es:ESHttpPut', 'es:ESHttpDelete', 'es:ESHttpPatch'];
const BUCKET_WRITES = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

function onlyId(type: string): string {
  const ids = Object.keys(resourcesOf(synthesized.template, type));
  expect(ids, type).toHaveLength(1);
  return ids[0]!;
}

describe('each function may do exactly what its topology entry declares', () => {
  const cases = Object.entries(FULL_TOPOLOGY.functions).map(([name, spec]) => [name, spec.access] as const);

  it.each(cases)('%s', (name, access: FunctionAccess) => {
    const { template } = synthesized;
    const functionId = functionLogicalIds(template).get(name)!;
    const fn = resourcesOf(template, 'AWS::Lambda::Function')[functionId]!;
    const { statements } = statementsOfFunction(template, functionId);
    const allowances = allowancesOf(statements);
    const byService = (prefix: string) => allowances.filter((a) => a.action.startsWith(`${prefix}:`));

    // Its own logs, and X-Ray (which has no resource-level permissions): the only "*" it holds.
    const logGroupId = [...referencedIds(fn.Properties!.LoggingConfig)][0]!;
    for (const allowance of byService('logs')) expect([...allowance.ids]).toEqual([logGroupId]);
    for (const allowance of allowances.filter((a) => a.resource === '"*"')) {
      expect(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']).toContain(allowance.action);
    }

    const tableId = onlyId('AWS::DynamoDB::Table');
    const table = byService('dynamodb');
    expect(table.length > 0, 'table access').toBe(access.table !== undefined);
    for (const allowance of table) expect([...allowance.ids]).toEqual([tableId]);
    expect(
      table.some((a) => TABLE_WRITES.includes(a.action)),
      'table writes',
    ).toBe(access.table === 'readwrite');

    const busId = onlyId('AWS::Events::EventBus');
    const bus = byService('events');
    expect(bus.map((a) => a.action)).toEqual(access.bus ? ['events:PutEvents'] : []);
    for (const allowance of bus) expect([...allowance.ids]).toEqual([busId]);

    const search = byService('es');
    expect(search.length > 0, 'search access').toBe(access.search !== undefined);
    if (access.search) {
      const domainId = onlyId('AWS::OpenSearchService::Domain');
      for (const allowance of search) expect([...allowance.ids]).toEqual([domainId]);
      expect(
        search.some((a) => SEARCH_WRITES.includes(a.action)),
        'search writes',
      ).toBe(access.search === 'readwrite');
      if (access.search === 'read') {
        for (const post of search.filter((a) => a.action === 'es:ESHttpPost')) {
          expect(post.resource, 'a reader POSTs only to search endpoints').toMatch(/\/(\*\/)?_(search|msearch|count|mget)/);
        }
      }
    }

    const bucket = byService('s3');
    expect(bucket.length > 0, 'bucket access').toBe(access.bucket !== undefined);
    if (access.bucket) {
      const files = Object.entries(resourcesOf(template, 'AWS::S3::Bucket')).find(([, b]) =>
        b.Properties?.LifecycleConfiguration?.Rules.some((r: any) => r.Prefix === 'uploads/'),
      );
      for (const allowance of bucket) expect([...allowance.ids]).toEqual([files![0]]);
      expect(
        bucket.some((a) => BUCKET_WRITES.includes(a.action)),
        'bucket writes',
      ).toBe(access.bucket === 'readwrite');
    }

    // A function invoked asynchronously may send its failed events to its own failure queue, no other.
    const queues = byService('sqs');
    expect(queues.length > 0, 'failure queue').toBe(isInvokedAsynchronously(FULL_TOPOLOGY, name));
    const config = Object.values(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig')).find((c) =>
      referencedIds(c.Properties!.FunctionName).has(functionId),
    );
    for (const allowance of queues) {
      expect([...allowance.ids]).toEqual([...referencedIds(config!.Properties!.DestinationConfig.OnFailure.Destination)]);
    }

    // The suppression salt: read, this one secret, only by the functions that declare it.
    const secrets = byService('secretsmanager');
    expect(secrets.map((a) => a.action)).toEqual(access.suppressionSalt ? ['secretsmanager:GetSecretValue'] : []);
    for (const allowance of secrets) expect([...allowance.ids]).toEqual([onlyId('AWS::SecretsManager::Secret')]);

    const known = ['logs', 'xray', 'dynamodb', 'events', 'es', 's3', 'sqs', 'secretsmanager'];
    expect(
      allowances.filter((a) => !known.includes(a.action.split(':')[0]!)),
      'nothing else',
    ).toEqual([]);
  });
});

describe('the search domain trusts exactly the roles of the functions that declare search', () => {
  it('names them in its own policy with the same actions their identity policies hold', () => {
    const { template } = synthesized;
    const [, domain] = Object.entries(resourcesOf(template, 'AWS::OpenSearchService::Domain'))[0]!;
    const statements = domain.Properties!.AccessPolicies.Statement as any[];
    const functions = functionLogicalIds(template);
    const searchers = Object.entries(FULL_TOPOLOGY.functions).filter(([, spec]) => spec.access.search);
    const trusted = new Set(statements.flatMap((s) => [...referencedIds(s.Principal)]));
    expect(trusted).toEqual(new Set(searchers.map(([name]) => statementsOfFunction(template, functions.get(name)!).roleId)));
    for (const statement of statements) {
      expect(statement.Principal).not.toBe('*');
      const roleId = [...referencedIds(statement.Principal)][0]!;
      const [name] = searchers.find(([n]) => statementsOfFunction(template, functions.get(n)!).roleId === roleId)!;
      const own = allowancesOf(statementsOfFunction(template, functions.get(name)!).statements).filter((a) =>
        a.action.startsWith('es:'),
      );
      for (const action of asArray<string>(statement.Action)) {
        expect(
          own.map((a) => a.action),
          `${name} may ${action} in its own policy too`,
        ).toContain(action);
      }
    }
  });
});

describe('each function is told exactly the names it needs', () => {
  // The fixture synthesizes the dev stage, whose stack traces are source-mapped.
  const base = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
  const cases = Object.entries(FULL_TOPOLOGY.functions).map(([name, spec]) => [name, spec.access] as const);

  it.each(cases)('%s', (name, access: FunctionAccess) => {
    const { template } = synthesized;
    const fn = resourcesOf(template, 'AWS::Lambda::Function')[functionLogicalIds(template).get(name)!]!;
    const variables = Object.keys(fn.Properties!.Environment.Variables).sort();
    const declared = (Object.keys(access) as (keyof FunctionAccess)[])
      .filter((kind) => access[kind] !== undefined && access[kind] !== false)
      .flatMap((kind) => ENVIRONMENT[kind]);
    expect(variables).toEqual([...base, ...declared].sort());
  });

  it('gives the adapters the variables they read: the store its table, the authorizer its user pool', () => {
    const { template } = synthesized;
    const environmentOf = (name: string) => {
      const fn = resourcesOf(template, 'AWS::Lambda::Function')[functionLogicalIds(template).get(name)!]!;
      // References resolve to strings in Lambda; any string stands in for them here.
      return Object.fromEntries(
        Object.entries(fn.Properties!.Environment.Variables).map(([key, value]) => [
          key,
          typeof value === 'string' ? value : `resolved-${key}`,
        ]),
      ) as NodeJS.ProcessEnv;
    };
    expect(cognitoFromEnv(environmentOf(FULL_TOPOLOGY.gateway.authorizer))).toEqual({
      userPoolId: 'resolved-COGNITO_USER_POOL_ID',
      clientId: 'resolved-COGNITO_CLIENT_ID',
    });
    for (const [name, spec] of Object.entries(FULL_TOPOLOGY.functions)) {
      if (spec.access.table) expect(storeConfigFromEnv(environmentOf(name)).tableName, name).toBe('resolved-TABLE_NAME');
    }
  });
});
