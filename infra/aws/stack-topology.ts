import * as topology from '../topology.ts';
import type { ChangeStreamSpec, FunctionSpec, RouteSpec, ScheduleSpec, SubscriptionSpec } from '../topology.ts';

type NamingAnyFunction<T> = Omit<T, 'function'> & { function: string };

/**
 * The topology as the stack reads it: the same shapes as infra/topology.ts, with function
 * names widened to strings so tests can hand the generator a topology of their own.
 */
export interface StackTopology {
  functions: Readonly<Record<string, FunctionSpec>>;
  routes: readonly NamingAnyFunction<RouteSpec>[];
  subscriptions: readonly NamingAnyFunction<SubscriptionSpec>[];
  schedules: readonly NamingAnyFunction<ScheduleSpec>[];
  gateway: { authorizer: string; fallback: string };
  /** `null`: no Pipe (tests use it; Kith always has one). */
  changeStream: (Omit<ChangeStreamSpec, 'enrichment'> & { enrichment: string }) | null;
  eventDelivery: { maxAttempts: number; maximumEventAgeSeconds: number };
}

export const KITH_TOPOLOGY: StackTopology = topology;

/** What calls a function, derived from the topology; the stack wires exactly these. */
export type Invocation = 'route' | 'authorizer' | 'fallback' | 'stream' | 'subscription' | 'schedule';

export function invocationsOf(map: StackTopology, name: string): Set<Invocation> {
  const found = new Set<Invocation>();
  if (map.routes.some((route) => route.function === name)) found.add('route');
  if (map.gateway.authorizer === name) found.add('authorizer');
  if (map.gateway.fallback === name) found.add('fallback');
  if (map.changeStream?.enrichment === name) found.add('stream');
  if (map.subscriptions.some((subscription) => subscription.function === name)) found.add('subscription');
  if (map.schedules.some((schedule) => schedule.function === name)) found.add('schedule');
  return found;
}

/** Invoked asynchronously (EventBridge rules and Scheduler), so Lambda's own retries and failure queue apply. */
export function isInvokedAsynchronously(map: StackTopology, name: string): boolean {
  const invocations = invocationsOf(map, name);
  return invocations.has('subscription') || invocations.has('schedule');
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** EventBridge Pipes hands an event bus target at most this many entries per batch. */
export const PIPE_TO_BUS_MAX_BATCH = 10;

/**
 * Refuses a topology the generator would wire wrongly or not at all: an entry naming an unknown
 * function, a function nothing invokes, or two subscriptions or schedules with one name.
 */
export function assertWireable(map: StackTopology): void {
  const problems: string[] = [];
  const known = (name: string, where: string) => {
    if (!(name in map.functions)) problems.push(`${where} names the unknown function "${name}"`);
  };
  map.routes.forEach((route) => known(route.function, `route ${route.method} ${route.path}`));
  map.subscriptions.forEach((subscription) => known(subscription.function, `subscription ${subscription.name}`));
  map.schedules.forEach((schedule) => known(schedule.function, `schedule ${schedule.name}`));
  known(map.gateway.authorizer, 'gateway.authorizer');
  known(map.gateway.fallback, 'gateway.fallback');
  if (map.changeStream) {
    known(map.changeStream.enrichment, 'changeStream.enrichment');
    const { batchSize } = map.changeStream;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > PIPE_TO_BUS_MAX_BATCH) {
      problems.push(`changeStream.batchSize ${batchSize} is not 1–${PIPE_TO_BUS_MAX_BATCH}, what a Pipe can hand an event bus`);
    }
  }

  for (const name of Object.keys(map.functions)) {
    if (!KEBAB.test(name)) problems.push(`function "${name}" is not kebab-case`);
    if (invocationsOf(map, name).size === 0) {
      problems.push(`function "${name}" is invoked by nothing: give it a route, subscription, schedule or gateway/stream role`);
    }
  }
  for (const [kind, names] of [
    ['subscription', map.subscriptions.map((s) => s.name)],
    ['schedule', map.schedules.map((s) => s.name)],
  ] as const) {
    for (const name of names) if (!KEBAB.test(name)) problems.push(`${kind} "${name}" is not kebab-case`);
    for (const name of new Set(names)) {
      if (names.filter((other) => other === name).length > 1) problems.push(`${kind} "${name}" is declared twice`);
    }
  }
  const routeKeys = map.routes.map((route) => topology.routeKey(route));
  for (const key of new Set(routeKeys)) {
    if (routeKeys.filter((other) => other === key).length > 1) problems.push(`route ${key} is declared twice`);
  }
  if (problems.length > 0) throw new Error(`The topology cannot be deployed:\n  - ${problems.join('\n  - ')}`);
}
