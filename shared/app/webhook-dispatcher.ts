import {
  matchesEventType,
  retryDelayMs,
  signWebhook,
  verdictOf,
  webhookPayload,
  type Webhook,
} from '../domain/webhook-delivery.ts';
import { sweepPlan } from '../domain/due.ts';
import { idFor } from '../domain/ids.ts';
import { LIMITS } from '../domain/limits.ts';
import { NotFoundError, VersionMismatchError } from '../domain/errors.ts';
import type { Clock } from '../domain/clock.ts';
import type { KithEvent } from '../events/types.ts';
import { createWebhookSender, type WebhookSender } from '../events/webhook-sender.ts';
import { DueIndex } from '../store/due.ts';
import { ownerOf, type DeliveryRepository, type WebhookDelivery, type WebhookRepository } from '../store/webhooks.ts';
import { writeWithRetry } from './optimistic.ts';
import type { Needs } from './services.ts';

export interface DispatchResult {
  /** Subscriptions the event matched. */
  matched: number;
  delivered: number;
  /** Deliveries that will be retried later. */
  retrying: number;
}

/** Where one delivery goes and how it is signed; `gone` is what a 410 answer means for its owner. */
interface Endpoint {
  url: string;
  secret: string;
  gone(): Promise<void>;
}

/** A workflow webhook action's delivery, as the workflow engine hands it over. */
export interface WorkflowDelivery {
  /** Derived from the run and the action, so a resumed run finds the delivery it already made. */
  id: string;
  workflowId: string;
  /** The workflow's signing secret. */
  secret: string;
  url: string;
  /** Names the run that sent it (shown as the delivery's eventId). */
  runKey: string;
  contactId: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
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
  private readonly webhooks: WebhookRepository;
  private readonly deliveries: DeliveryRepository;
  private readonly index: DueIndex;
  private readonly sender: WebhookSender;
  private readonly clock: Clock;
  private readonly workflowSecret: (workflowId: string) => Promise<string | undefined>;

  constructor(deps: {
    webhooks: WebhookRepository;
    deliveries: DeliveryRepository;
    index: DueIndex;
    sender: WebhookSender;
    clock: Clock;
    /** The signing secret of a workflow, for retries of its webhook actions; undefined once it is deleted. */
    workflowSecret?: (workflowId: string) => Promise<string | undefined>;
  }) {
    this.webhooks = deps.webhooks;
    this.deliveries = deps.deliveries;
    this.index = deps.index;
    this.sender = deps.sender;
    this.clock = deps.clock;
    this.workflowSecret = deps.workflowSecret ?? (async () => undefined);
  }

  async dispatch(event: KithEvent): Promise<DispatchResult> {
    const type = event['detail-type'];
    const hooks = (await this.webhooks.enabled()).filter((hook) => matchesEventType(hook.events, type));
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
      await this.index.forEachDue(minute, now.toISOString(), ['webhookId', 'workflowId', 'id'], async (item) => {
        const current = await this.deliveries.get(
          ownerOf(item as Pick<WebhookDelivery, 'webhookId' | 'workflowId'>),
          item.id as string,
        );
        if (!current || !isDue(current, now)) return;
        const endpoint = await this.endpointOf(current);
        const outcome =
          'abandon' in endpoint ? await this.abandon(current, now, endpoint.abandon) : await this.attempt(endpoint, current, now);
        if (outcome !== 'lost') attempted++;
        if (outcome === 'delivered') delivered++;
      });
    }
    await this.index.advance(plan.checkpoint, now.toISOString());
    return { minutesSwept: plan.minutes.length, attempted, delivered, checkpoint: plan.checkpoint };
  }

  /**
   * Delivers a workflow webhook action's POST once: the record is written (claimed for its first
   * attempt) unless it already exists, in which case the delivery made before is the answer, so
   * a resumed run never sends twice. Failures are retried by the sweep like any delivery.
   */
  async deliverForWorkflow(request: WorkflowDelivery): Promise<WebhookDelivery> {
    const now = this.clock.now();
    const delivery: WebhookDelivery = {
      id: request.id,
      workflowId: request.workflowId,
      url: request.url,
      eventId: request.runKey,
      eventType: request.type,
      contactId: request.contactId,
      payload: webhookPayload(request.type, request.timestamp, request.data),
      status: 'pending',
      attempts: 0,
      attemptLog: [],
      version: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const claimed = claimFor(delivery, now);
    if (!(await this.store(claimed, 0, now))) {
      const existing = await this.deliveries.get({ workflowId: request.workflowId }, request.id);
      if (existing) return existing;
      throw new Error(`The delivery ${request.id} was claimed but cannot be read`);
    }
    const endpoint: Endpoint = { url: request.url, secret: request.secret, gone: async () => undefined };
    await this.send(endpoint, claimed, now);
    return (await this.deliveries.get({ workflowId: request.workflowId }, request.id)) ?? claimed;
  }

  /** Where a stored delivery goes now, or why it never will. */
  private async endpointOf(delivery: WebhookDelivery): Promise<Endpoint | { abandon: string }> {
    if (delivery.workflowId) {
      const secret = await this.workflowSecret(delivery.workflowId);
      return secret && delivery.url
        ? { url: delivery.url, secret, gone: async () => undefined }
        : { abandon: 'workflow deleted' };
    }
    const hook = delivery.webhookId ? await this.webhooks.get(delivery.webhookId) : undefined;
    if (!hook) return { abandon: 'subscription deleted' };
    return hook.enabled ? this.subscriptionEndpoint(hook) : { abandon: 'subscription disabled' };
  }

  /** A subscription's endpoint: its URL and secret; a 410 switches it off. */
  private subscriptionEndpoint(hook: Webhook): Endpoint {
    return {
      url: hook.url,
      secret: hook.secret,
      gone: () => this.switchOff(hook.id, 'The receiver answered 410 Gone'),
    };
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
    return this.send(this.subscriptionEndpoint(hook), claimed, now);
  }

  /** Claims the next attempt (a versioned write only one sweep wins), then sends it. */
  private async attempt(endpoint: Endpoint, current: WebhookDelivery, now: Date): Promise<WebhookDelivery['status'] | 'lost'> {
    const claimed = claimFor(current, now);
    if (!(await this.store(claimed, current.version, now))) return 'lost';
    return this.send(endpoint, claimed, now);
  }

  /** Sends a claimed attempt and records how it went: delivered, due again later, or failed for good. */
  private async send(endpoint: Endpoint, claimed: WebhookDelivery, now: Date): Promise<WebhookDelivery['status'] | 'lost'> {
    const timestamp = Math.floor(now.getTime() / 1000);
    const response = await this.sender.send({
      url: endpoint.url,
      body: claimed.payload,
      headers: {
        'webhook-id': claimed.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(endpoint.secret, claimed.id, timestamp, claimed.payload),
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
    if (verdict === 'gone') await endpoint.gone();
    return recorded.status;
  }

  /** Switches a subscription off for good reason; re-enabling it (PATCH) clears the reason. */
  private async switchOff(id: string, reason: string): Promise<void> {
    await writeWithRetry({
      entity: 'webhook',
      id,
      ifMatch: undefined,
      load: () => this.webhooks.require(id),
      write: async (current) => {
        const next: Webhook = {
          ...current,
          enabled: false,
          disabledReason: reason,
          version: current.version + 1,
          updatedAt: this.clock.now().toISOString(),
          updatedBy: 'system:webhooks',
        };
        await this.webhooks.put(next, current.version);
        return next;
      },
    });
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

export const webhookSender = ({ settings }: Needs<'settings'>) =>
  createWebhookSender({ allowPrivateNetworks: settings.allowPrivateWebhookTargets ?? false });

export const webhookDispatcher = ({
  store,
  webhookRepository,
  webhookDeliveries,
  webhookSender,
  workflowRepository,
  clock,
}: Needs<'store' | 'webhookRepository' | 'webhookDeliveries' | 'webhookSender' | 'workflowRepository' | 'clock'>) =>
  new WebhookDispatcher({
    webhooks: webhookRepository,
    deliveries: webhookDeliveries,
    index: new DueIndex(store, 'RETRY', LIMITS.dueShards),
    sender: webhookSender,
    clock,
    workflowSecret: async (id) => (await workflowRepository.get(id))?.secret,
  });
