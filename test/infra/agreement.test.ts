import { beforeAll, describe, expect, it } from 'vitest';
import * as topology from '../../infra/topology.ts';
import { KITH_TOPOLOGY, type StackTopology } from '../../infra/aws/stack-topology.ts';
import { functionLogicalIds, referencedIds, resourcesOf, synthesize, type Synthesized } from '../helpers/stack.ts';

/**
 * infra/topology.ts as it is on this branch, against the stack generated from it: nothing on
 * either side that the other lacks. A topology entry the generator does not cover fails here.
 */
let kith: Synthesized;
beforeAll(() => {
  kith = synthesize({ stage: 'prod' });
});

describe('the topology and the stack agree', () => {
  it('on the functions', () => {
    expect([...functionLogicalIds(kith.template).keys()].sort()).toEqual(Object.keys(topology.functions).sort());
    expect(Object.keys(resourcesOf(kith.template, 'AWS::Lambda::Function')).length).toBe(Object.keys(topology.functions).length);
  });

  it('on the routes, plus $default', () => {
    const routeKeys = Object.values(resourcesOf(kith.template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties!.RouteKey);
    expect(routeKeys.sort()).toEqual([...topology.routes.map(topology.routeKey), '$default'].sort());
  });

  it('on the subscriptions', () => {
    const rules = Object.values(resourcesOf(kith.template, 'AWS::Events::Rule'));
    const functions = functionLogicalIds(kith.template);
    expect(rules).toHaveLength(topology.subscriptions.length);
    for (const subscription of topology.subscriptions) {
      const rule = rules.find((r) => String(r.Properties!.Description).startsWith(`${subscription.name}:`));
      expect(rule?.Properties!.EventPattern, subscription.name).toEqual(subscription.pattern);
      expect(referencedIds(rule!.Properties!.Targets), subscription.name).toContain(functions.get(subscription.function));
    }
  });

  it('on the schedules', () => {
    const schedules = Object.values(resourcesOf(kith.template, 'AWS::Scheduler::Schedule'));
    const functions = functionLogicalIds(kith.template);
    expect(schedules).toHaveLength(topology.schedules.length);
    for (const schedule of topology.schedules) {
      const found = schedules.find((s) => String(s.Properties!.Description).startsWith(`${schedule.name}:`));
      expect(found?.Properties!.ScheduleExpression, schedule.name).toBe(schedule.expression);
      expect(referencedIds(found!.Properties!.Target.Arn), schedule.name).toContain(functions.get(schedule.function));
    }
  });

  it('on the change stream: one Pipe, through the enrichment the topology names', () => {
    const pipes = Object.values(resourcesOf(kith.template, 'AWS::Pipes::Pipe'));
    expect(pipes).toHaveLength(1);
    expect(referencedIds(pipes[0]!.Properties!.Enrichment)).toContain(
      functionLogicalIds(kith.template).get(topology.changeStream.enrichment),
    );
  });

  it('on the optional resources: search and bucket exactly when some entry declares them', () => {
    const specs = Object.values(topology.functions as StackTopology['functions']);
    kith.template.resourceCountIs('AWS::OpenSearchService::Domain', specs.some((s) => s.access.search) ? 1 : 0);
    expect(Object.keys(resourcesOf(kith.template, 'AWS::S3::Bucket')).length > 0).toBe(specs.some((s) => s.access.bucket));
  });
});

describe('a topology the generator cannot wire is refused, not half-deployed', () => {
  const withFunction = (extra: Partial<StackTopology>): StackTopology => ({ ...KITH_TOPOLOGY, ...extra });
  const orphan = {
    functions: {
      ...KITH_TOPOLOGY.functions,
      orphan: { description: 'Nothing calls me', memoryMb: 128, timeoutSeconds: 3, access: {} },
    },
  };

  it('when a function is invoked by nothing', () => {
    expect(() => synthesize({ topology: withFunction(orphan) })).toThrow(/"orphan" is invoked by nothing/);
  });

  it('when a subscription names a function that does not exist', () => {
    const topology = withFunction({
      subscriptions: [{ name: 'lost', function: 'nobody', pattern: { source: ['kith'] }, description: 'x' }],
    });
    expect(() => synthesize({ topology })).toThrow(/subscription lost names the unknown function "nobody"/);
  });

  it('when two schedules share a name', () => {
    const schedule = { name: 'twice', function: 'http-api', expression: 'rate(1 hour)', description: 'x' };
    expect(() => synthesize({ topology: withFunction({ schedules: [schedule, schedule] }) })).toThrow(
      /schedule "twice" is declared twice/,
    );
  });

  it('when the change stream batches more records than a Pipe can hand the bus', () => {
    const topology = withFunction({ changeStream: { ...KITH_TOPOLOGY.changeStream!, batchSize: 100 } });
    expect(() => synthesize({ topology })).toThrow(/changeStream.batchSize 100 is not 1–10/);
  });

  it('when an entry declares a kind of access the stack does not know how to grant', () => {
    const topology = withFunction({
      functions: {
        ...KITH_TOPOLOGY.functions,
        'http-api': { ...KITH_TOPOLOGY.functions['http-api']!, access: { table: 'readwrite', queue: 'readwrite' } as never },
      },
    });
    expect(() => synthesize({ topology })).toThrow(/Unknown access kind "queue"/);
  });
});
