import { isIP } from 'node:net';
import {
  generateWebhookSecret,
  isPublicAddress,
  matchesEventType,
  normalizeWebhook,
  patchWebhook,
  retryDelayMs,
  signWebhook,
  verdictOf,
  webhookPayload,
  type Webhook,
  type WebhookFields,
} from '../domain/webhooks.ts';
import { sweepPlan } from '../domain/due.ts';
import { idFor, newId } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import { NotFoundError, ValidationError, VersionMismatchError } from '../domain/errors.ts';
import type { Clock } from '../domain/clock.ts';
import type { KithEvent } from '../events/types.ts';
import type { WebhookSender } from '../events/webhook-sender.ts';
import type { DueIndex } from '../store/due.ts';
import type { DeliveryRepository, WebhookDelivery, WebhookRepository } from '../store/webhooks.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import { writeWithRetry } from './optimistic.ts';

/** A subscription as the API shows it: never with its secret, except once when it is created. */
export type WebhookView = Omit<Webhook, 'secret'>;

function viewOf(webhook: Webhook): WebhookView {
  const { secret: _secret, ...view } = webhook;
  return view;
}

/** Webhook subscriptions: create (the secret is shown once), change, rotate the secret, remove. */
export class WebhookService {
  readonly repository: WebhookRepository;
  readonly deliveries: DeliveryRepository;
  private readonly clock: Clock;
  private readonly allowPrivateNetworks: boolean;

  constructor(deps: {
    repository: WebhookRepository;
    deliveries: DeliveryRepository;
    clock: Clock;
    allowPrivateNetworks: boolean;
  }) {
    this.repository = deps.repository;
    this.deliveries = deps.deliveries;
    this.clock = deps.clock;
    this.allowPrivateNetworks = deps.allowPrivateNetworks;
  }

  async create(input: unknown, actor: string): Promise<WebhookView & { secret: string }> {
    const fields = this.checked(normalizeWebhook(input));
    const now = this.clock.now();
    const at = now.toISOString();
    const webhook: Webhook = {
      ...fields,
      id: newId(now.getTime()),
      secret: generateWebhookSecret(),
      version: 1,
      createdAt: at,
      updatedAt: at,
      createdBy: actor,
      updatedBy: actor,
    };
    await this.repository.put(webhook, 0);
    return { ...viewOf(webhook), secret: webhook.secret };
  }

  async get(id: string): Promise<WebhookView> {
    return viewOf(await this.repository.require(id));
  }

  async list(page: PageRequest): Promise<Page<WebhookView>> {
    const found = await this.repository.list(page);
    return { results: found.results.map(viewOf), nextCursor: found.nextCursor };
  }

  /** JSON merge patch; re-enabling a subscription Kith switched off clears the reason. */
  async update(id: string, patch: unknown, actor: string, ifMatch?: number): Promise<WebhookView> {
    return viewOf(
      await this.replace(id, ifMatch, actor, (current) => ({ ...current, ...this.checked(patchWebhook(current, patch)) })),
    );
  }

  /** A new secret, shown in this response only; the old one stops signing at once. */
  async rotateSecret(id: string, actor: string): Promise<WebhookView & { secret: string }> {
    const next = await this.replace(id, undefined, actor, (current) => ({ ...current, secret: generateWebhookSecret() }));
    return { ...viewOf(next), secret: next.secret };
  }

  /** Switches a subscription off, e.g. when its receiver answered 410 Gone. */
  async disable(id: string, reason: string): Promise<void> {
    await this.replace(id, undefined, 'system:webhooks', (current) => ({ ...current, enabled: false, disabledReason: reason }));
  }

  async remove(id: string, ifMatch?: number): Promise<void> {
    await writeWithRetry({
      entity: 'webhook',
      id,
      ifMatch,
      load: () => this.repository.require(id),
      write: async (current) => {
        await this.repository.delete(current);
        return current;
      },
    });
  }

  async deliveriesOf(id: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
    await this.repository.require(id);
    return this.deliveries.list(id, page);
  }

  private replace(
    id: string,
    ifMatch: number | undefined,
    actor: string,
    change: (current: Webhook) => Webhook,
  ): Promise<Webhook> {
    return writeWithRetry({
      entity: 'webhook',
      id,
      ifMatch,
      load: () => this.repository.require(id),
      write: async (current) => {
        const changed = change(current);
        const { disabledReason: _reason, ...rest } = changed;
        const next: Webhook = {
          ...(changed.enabled && current.enabled === false ? rest : changed),
          version: current.version + 1,
          updatedAt: this.clock.now().toISOString(),
          updatedBy: actor,
        };
        await this.repository.put(next, current.version);
        return next;
      },
    });
  }

  /** In AWS, a URL naming a private address is refused at once (the sender checks again on every connect). */
  private checked(fields: WebhookFields): WebhookFields {
    if (this.allowPrivateNetworks) return fields;
    const host = new URL(fields.url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) && !isPublicAddress(host))) {
      throw ValidationError.of('url', 'must reach a public address');
    }
    return fields;
  }
}

export interface DispatchResult {
  /** Subscriptions the event matched. */
  matched: number;
  delivered: number;
  /** Deliveries that will be retried later. */
  retrying: number;
}

export interface RetrySweep {
  minutesSwept: number;
  attempted: number;
  delivered: number;
  checkpoint: string;
}

/**
 * Delivers domain events to the subscriptions that asked for them, signed per Standard
 * Webhooks, at least once: a delivery record is written (once per event and subscription)
 * before the first attempt, each attempt is claimed with a versioned write, and failures wait
 * in the RETRY due index with exponential backoff until the attempts run out.
 */
export class WebhookDispatcher {
  private readonly webhooks: WebhookService;
  private readonly deliveries: DeliveryRepository;
  private readonly index: DueIndex;
  private readonly sender: WebhookSender;
  private readonly clock: Clock;

  constructor(deps: {
    webhooks: WebhookService;
    deliveries: DeliveryRepository;
    index: DueIndex;
    sender: WebhookSender;
    clock: Clock;
  }) {
    this.webhooks = deps.webhooks;
    this.deliveries = deps.deliveries;
    this.index = deps.index;
    this.sender = deps.sender;
    this.clock = deps.clock;
  }

  async dispatch(event: KithEvent): Promise<DispatchResult> {
    const type = event['detail-type'];
    const hooks = (await this.webhooks.repository.enabled()).filter((hook) => matchesEventType(hook.events, type));
    const outcomes = await Promise.all(hooks.map((hook) => this.deliverNew(hook, event)));
    return {
      matched: hooks.length,
      delivered: outcomes.filter((o) => o === 'delivered').length,
      retrying: outcomes.filter((o) => o === 'pending').length,
    };
  }

  /** Attempts every delivery whose retry is due (or whose attempt's lease ran out). */
  async retryDue(now: Date = this.clock.now()): Promise<RetrySweep> {
    const plan = sweepPlan(await this.index.checkpoint(), now, {
      rescanMinutes: LIMITS.dueRescanMinutes,
      maxMinutesPerRun: LIMITS.maxDueMinutesPerRun,
    });
    let attempted = 0;
    let delivered = 0;
    for (const minute of plan.minutes) {
      await this.index.forEachDue(minute, now.toISOString(), ['webhookId', 'id'], async (item) => {
        const current = await this.deliveries.get(item.webhookId as string, item.id as string);
        if (!current || !isDue(current, now)) return;
        const hook = await this.webhooks.repository.get(current.webhookId);
        const outcome = hook?.enabled
          ? await this.attempt(hook, current, now)
          : await this.abandon(current, now, hook ? 'subscription disabled' : 'subscription deleted');
        if (outcome !== 'lost') attempted++;
        if (outcome === 'delivered') delivered++;
      });
    }
    await this.index.advance(plan.checkpoint, now.toISOString());
    return { minutesSwept: plan.minutes.length, attempted, delivered, checkpoint: plan.checkpoint };
  }

  private async deliverNew(hook: Webhook, event: KithEvent): Promise<WebhookDelivery['status'] | 'lost'> {
    const now = this.clock.now();
    const { detail } = event;
    const delivery: WebhookDelivery = {
      id: idFor(Date.parse(detail.occurredAt) || now.getTime(), `${detail.eventId}:${hook.id}`),
      webhookId: hook.id,
      eventId: detail.eventId,
      eventType: event['detail-type'],
      ...contactOf(event),
      payload: webhookPayload(event['detail-type'], detail.occurredAt, { ...detail }),
      status: 'pending',
      attempts: 0,
      attemptLog: [],
      version: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    // The record is written already claimed for its first attempt: should this process die
    // before recording the outcome, the lease runs out and a sweep retries. A second copy of the
    // same event finds the record and stops here.
    const claimed = claimFor(delivery, now);
    if (!(await this.store(claimed, 0, now))) return 'lost';
    return this.send(hook, claimed, now);
  }

  /** Claims the next attempt (a versioned write only one sweep wins), then sends it. */
  private async attempt(hook: Webhook, current: WebhookDelivery, now: Date): Promise<WebhookDelivery['status'] | 'lost'> {
    const claimed = claimFor(current, now);
    if (!(await this.store(claimed, current.version, now))) return 'lost';
    return this.send(hook, claimed, now);
  }

  /** Sends a claimed attempt and records how it went: delivered, due again later, or failed for good. */
  private async send(hook: Webhook, claimed: WebhookDelivery, now: Date): Promise<WebhookDelivery['status'] | 'lost'> {
    const timestamp = Math.floor(now.getTime() / 1000);
    const response = await this.sender.send({
      url: hook.url,
      body: claimed.payload,
      headers: {
        'webhook-id': claimed.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(hook.secret, claimed.id, timestamp, claimed.payload),
      },
    });
    const verdict = verdictOf(response.statusCode);
    const finished = this.clock.now();
    const attempt = {
      at: now.toISOString(),
      latencyMs: response.latencyMs,
      ...(response.statusCode ? { statusCode: response.statusCode } : {}),
      ...(response.error ? { error: response.error } : {}),
    };
    const { nextAttemptAt: _n, lastError: _e, lastStatusCode: _s, ...settled } = claimed;
    const retryAt = new Date(
      finished.getTime() + retryDelayMs(claimed.id, claimed.attempts, response.retryAfterSeconds),
    ).toISOString();
    const recorded: WebhookDelivery = {
      ...settled,
      attemptLog: [...claimed.attemptLog, attempt].slice(-LIMITS.maxWebhookAttempts),
      lastLatencyMs: response.latencyMs,
      ...(response.statusCode ? { lastStatusCode: response.statusCode } : {}),
      ...(response.error ? { lastError: response.error } : {}),
      version: claimed.version + 1,
      updatedAt: finished.toISOString(),
      ...(verdict === 'delivered'
        ? { status: 'delivered', deliveredAt: finished.toISOString() }
        : verdict === 'retry' && claimed.attempts < LIMITS.maxWebhookAttempts
          ? { status: 'pending', nextAttemptAt: retryAt }
          : { status: 'failed' }),
    };
    if (!(await this.store(recorded, claimed.version, finished))) return 'lost';
    if (verdict === 'gone') await this.webhooks.disable(hook.id, 'The receiver answered 410 Gone');
    return recorded.status;
  }

  private async abandon(current: WebhookDelivery, now: Date, reason: string): Promise<'failed' | 'lost'> {
    const { nextAttemptAt: _n, ...rest } = current;
    const stopped: WebhookDelivery = {
      ...rest,
      status: 'failed',
      lastError: reason,
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    return (await this.store(stopped, current.version, now)) ? 'failed' : 'lost';
  }

  /**
   * A versioned write of the delivery; false when another sweep got there first, or when the
   * contact the event is about was erased (nothing about them is delivered any more).
   */
  private async store(next: WebhookDelivery, expected: number, now: Date): Promise<boolean> {
    try {
      await this.deliveries.put(next, expected, now);
      return true;
    } catch (error) {
      if (error instanceof VersionMismatchError || error instanceof NotFoundError) return false;
      throw error;
    }
  }
}

/** The delivery with its next attempt claimed: counted, and leased so a crash is retried. */
function claimFor(current: WebhookDelivery, now: Date): WebhookDelivery {
  const leaseEnds = new Date(now.getTime() + LIMITS.webhookAttemptLeaseSeconds * 1000).toISOString();
  return {
    ...current,
    status: 'delivering',
    attempts: current.attempts + 1,
    nextAttemptAt: leaseEnds,
    version: current.version + 1,
    updatedAt: now.toISOString(),
  };
}

function isDue(delivery: WebhookDelivery, now: Date): boolean {
  const waiting = delivery.status === 'pending' || delivery.status === 'delivering';
  return waiting && delivery.nextAttemptAt !== undefined && Date.parse(delivery.nextAttemptAt) <= now.getTime();
}

/** The contact an event is about: the contact itself, or the one its data names. */
function contactOf(event: KithEvent): { contactId?: string } {
  const { detail } = event;
  if (detail.entity === 'contact') return { contactId: detail.id };
  const named = detail.data?.contactId;
  return typeof named === 'string' ? { contactId: named } : {};
}
