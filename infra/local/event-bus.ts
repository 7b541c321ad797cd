import { randomUUID } from 'node:crypto';
import { functions, type SubscriptionSpec } from '../topology.ts';
import { matchesPattern, patternErrors } from '../../shared/events/pattern.ts';
import type { BusEntry, KithEvent } from '../../shared/events/types.ts';
import type { Deliverer, DeliveryOutcome } from './delivery.ts';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';

/**
 * The Kith event bus, in process: each entry becomes an EventBridge envelope and goes to every
 * subscription whose pattern matches it, as a separate asynchronous delivery, exactly as a rule
 * target receives it. Deliveries run concurrently, so consumers see events out of order, as in AWS.
 */
export class LocalEventBus {
  private readonly subscriptions: readonly SubscriptionSpec[];
  private readonly deliverer: Deliverer;
  private published = 0;

  constructor(subscriptions: readonly SubscriptionSpec[], deliverer: Deliverer) {
    assertValidSubscriptions(subscriptions);
    this.subscriptions = subscriptions;
    this.deliverer = deliverer;
  }

  /** Events put on the bus since it started. */
  get publishedCount(): number {
    return this.published;
  }

  /** Puts entries on the bus; resolves with one outcome per matching subscription once all settled. */
  put(entries: readonly BusEntry[]): { events: KithEvent[]; settled: Promise<DeliveryOutcome[]> } {
    const events = entries.map(envelopeOf);
    this.published += events.length;
    const outcomes = events.flatMap((event) =>
      this.subscriptions
        .filter((subscription) => matchesPattern(subscription.pattern, event))
        .map((subscription) =>
          this.deliverer.deliver({ kind: 'subscription', name: subscription.name, function: subscription.function }, event),
        ),
    );
    return { events, settled: Promise.all(outcomes) };
  }

  /** The subscriptions an event would be delivered to. */
  subscribersOf(event: KithEvent): SubscriptionSpec[] {
    return this.subscriptions.filter((subscription) => matchesPattern(subscription.pattern, event));
  }
}

export function envelopeOf(entry: BusEntry): KithEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry['detail-type'],
    source: entry.source,
    account: LOCAL_ACCOUNT,
    time: entry.time,
    region: LOCAL_REGION,
    resources: [],
    detail: entry.detail,
  };
}

/** Fails fast on what EventBridge would refuse at deploy time: bad patterns, unknown functions, duplicate names. */
export function assertValidSubscriptions(subscriptions: readonly SubscriptionSpec[]): void {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const subscription of subscriptions) {
    if (names.has(subscription.name)) problems.push(`${subscription.name}: the name is used twice`);
    names.add(subscription.name);
    if (!(subscription.function in functions)) problems.push(`${subscription.name}: no function ${subscription.function}`);
    for (const error of patternErrors(subscription.pattern)) problems.push(`${subscription.name}: ${error}`);
  }
  if (problems.length > 0) throw new Error(`Invalid subscriptions in infra/topology.ts:\n  ${problems.join('\n  ')}`);
}
