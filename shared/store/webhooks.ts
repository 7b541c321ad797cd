import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, VersionMismatchError } from '../domain/errors.ts';
import { shardOf, waitingMinute } from '../domain/due.ts';
import { LIMITS } from '../domain/limits.ts';
import type { Webhook } from '../domain/webhooks.ts';
import { ITEM_TYPES, keys, type Key } from './keys.ts';
import { entityOf } from './items.ts';
import { readEntity, requireEntity } from './records.ts';
import { queryPage, type Page, type PageRequest } from './pages.ts';
import { versionedPut } from './versioned.ts';
import { transactWrite } from './transact.ts';
import type { Store } from './client.ts';

export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  at: string;
  statusCode?: number;
  latencyMs: number;
  error?: string;
}

/** Whom a delivery belongs to: a subscription, or a workflow (its webhook actions). */
export type DeliveryOwner = { webhookId: string } | { workflowId: string };

/** One event on its way to one subscription (or one workflow webhook action), with every attempt made so far. */
export interface WebhookDelivery {
  id: string;
  /** The subscription it is for. */
  webhookId?: string;
  /** The workflow whose webhook action sent it; `url` is then where it goes. */
  workflowId?: string;
  url?: string;
  eventId: string;
  eventType: string;
  /** The contact the event is about, so erasing the person can find and drop this payload. */
  contactId?: string;
  /** The exact body sent (and signed) on every attempt; empty once the contact was erased. */
  payload: string;
  /** When the payload was dropped because the contact it was about was erased. */
  redactedAt?: string;
  status: DeliveryStatus;
  attempts: number;
  /** `pending`: when the next attempt is due; `delivering`: when the running attempt's lease ends. */
  nextAttemptAt?: string;
  attemptLog: DeliveryAttempt[];
  lastStatusCode?: number;
  lastLatencyMs?: number;
  lastError?: string;
  deliveredAt?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Subscriptions: `HOOK#<id>`/`DEF`, listed on GSI1 (`HOOKS`). */
export class WebhookRepository {
  private readonly store: Store;
  private cache: { at: number; enabled: Webhook[] } | undefined;

  constructor(store: Store) {
    this.store = store;
  }

  get(id: string): Promise<Webhook | undefined> {
    return readEntity<Webhook>(this.store, keys.webhook(id));
  }

  require(id: string): Promise<Webhook> {
    return requireEntity<Webhook>(this.store, keys.webhook(id), 'webhook', id);
  }

  list(page: PageRequest): Promise<Page<Webhook>> {
    return queryPage<Webhook>(this.store, { ...page, index: 'gsi1', partition: keys.webhooksPartition(), newestFirst: true });
  }

  /** Every enabled subscription, as the dispatcher matches events against them; cached briefly per process. */
  async enabled(): Promise<Webhook[]> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < LIMITS.webhookSubscriptionCacheMs) return this.cache.enabled;
    const all: Webhook[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.store.db.send(
        new QueryCommand({
          TableName: this.store.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.webhooksPartition() },
          ExclusiveStartKey: startKey,
        }),
      );
      all.push(...(result.Items ?? []).map((item) => entityOf<Webhook>(item)));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    this.cache = { at: now, enabled: all.filter((hook) => hook.enabled) };
    return this.cache.enabled;
  }

  async put(webhook: Webhook, expected: number): Promise<void> {
    const item = { ...webhook, entityType: ITEM_TYPES.webhook, ...keys.webhookList(webhook.id) };
    await transactWrite(this.store, [
      versionedPut(this.store.tableName, keys.webhook(webhook.id), item, expected, 'webhook', webhook.id),
    ]);
    this.cache = undefined;
  }

  async delete(current: Webhook): Promise<void> {
    await transactWrite(this.store, [
      {
        item: {
          Delete: {
            TableName: this.store.tableName,
            Key: keys.webhook(current.id),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': current.version },
          },
        },
        onConditionFailed: (existing) =>
          existing
            ? new VersionMismatchError('webhook', current.id, existing.version as number)
            : new NotFoundError('webhook', current.id),
      },
    ]);
    this.cache = undefined;
  }
}

/**
 * Deliveries: `HOOK#<webhookId>`/`DELIVERY#<id>`, beside their subscription. While an attempt is
 * due (or running under a lease), a delivery waits in GSI2 under `RETRY#<minute>#<shard>`, so a
 * restart loses no retry. Each record expires through the table's TTL, its payload with it.
 */
export class DeliveryRepository {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  get(owner: DeliveryOwner, id: string): Promise<WebhookDelivery | undefined> {
    return readEntity<WebhookDelivery>(this.store, deliveryKey(owner, id));
  }

  list(owner: DeliveryOwner, page: PageRequest): Promise<Page<WebhookDelivery>> {
    return queryPage<WebhookDelivery>(this.store, {
      ...page,
      partition: deliveryKey(owner, '').pk,
      sortKeyPrefix: keys.webhookDeliveriesPrefix(),
      newestFirst: true,
    });
  }

  /** Deliveries whose payload mentions a contact (for erasure). */
  mentioning(contactId: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
    return queryPage<WebhookDelivery>(this.store, {
      ...page,
      index: 'gsi1',
      partition: keys.contactDeliveriesPartition(contactId),
    });
  }

  /**
   * Drops a delivery's payload (the person it was about was erased): status, attempts and
   * response codes stay for the subscription's log; a delivery still waiting is given up.
   * Answers false when there was nothing left to redact.
   */
  async redact(delivery: WebhookDelivery, now: Date): Promise<boolean> {
    let current: WebhookDelivery | undefined = delivery;
    for (let attempt = 1; current && !current.redactedAt; attempt++) {
      const waiting = current.status === 'pending' || current.status === 'delivering';
      const { nextAttemptAt: _next, ...rest } = current;
      const next: WebhookDelivery = {
        ...rest,
        payload: '',
        redactedAt: now.toISOString(),
        ...(waiting ? { status: 'failed', lastError: 'the contact was erased' } : {}),
        version: current.version + 1,
        updatedAt: now.toISOString(),
      };
      try {
        await this.put(next, current.version, now);
        return true;
      } catch (error) {
        if (!(error instanceof VersionMismatchError) || attempt >= LIMITS.maxOptimisticRetries) throw error;
        current = await this.get(ownerOf(delivery), delivery.id);
      }
    }
    return false;
  }

  /**
   * Stores `next` if the record is still at `expected` (0: not yet stored). This is how an
   * attempt is claimed: of two sweeps that read the same version, only one writes the next.
   */
  async put(next: WebhookDelivery, expected: number, now: Date): Promise<void> {
    const waiting = next.nextAttemptAt && (next.status === 'pending' || next.status === 'delivering');
    const item = {
      ...next,
      entityType: ITEM_TYPES.webhookDelivery,
      expiresAt: Math.floor(Date.parse(next.createdAt) / 1000) + LIMITS.webhookDeliveryRetentionDays * 24 * 60 * 60,
      ...(next.contactId ? keys.deliveryByContact(next.contactId, next.id) : {}),
      ...(waiting
        ? keys.dueSlot(
            'RETRY',
            waitingMinute(Date.parse(next.nextAttemptAt!), now.getTime()),
            shardOf(next.id, LIMITS.dueShards),
            next.nextAttemptAt!,
            next.id,
          )
        : {}),
    };
    // A new delivery about a contact carries its values: never once the contact is erased (the
    // erasure redacts what exists; this keeps a late event from writing a new one). `contact.erased` itself carries none.
    const aboutErasable = expected === 0 && next.contactId !== undefined && next.eventType !== 'contact.erased';
    await transactWrite(this.store, [
      versionedPut(this.store.tableName, deliveryKey(ownerOf(next), next.id), item, expected, 'webhook_delivery', next.id),
      ...(aboutErasable
        ? [
            {
              item: {
                ConditionCheck: {
                  TableName: this.store.tableName,
                  Key: keys.contact(next.contactId!),
                  ConditionExpression: 'attribute_not_exists(pk) OR #status <> :erased',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':erased': 'erased' },
                },
              },
              onConditionFailed: () => new NotFoundError('contact', next.contactId!),
            },
          ]
        : []),
    ]);
  }
}

/** Where a delivery is stored: beside its subscription, or beside its workflow. */
function deliveryKey(owner: DeliveryOwner, id: string): Key {
  return 'workflowId' in owner ? keys.workflowDelivery(owner.workflowId, id) : keys.webhookDelivery(owner.webhookId, id);
}

export function ownerOf(delivery: Pick<WebhookDelivery, 'webhookId' | 'workflowId'>): DeliveryOwner {
  if (delivery.workflowId) return { workflowId: delivery.workflowId };
  if (delivery.webhookId) return { webhookId: delivery.webhookId };
  throw new Error('A webhook delivery belongs to a subscription or to a workflow');
}
