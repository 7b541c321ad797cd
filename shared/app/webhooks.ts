import { isIP } from 'node:net';
import {
  generateWebhookSecret,
  isPublicAddress,
  normalizeWebhook,
  patchWebhook,
  type Webhook,
  type WebhookFields,
} from '../domain/webhooks.ts';
import { newId } from '../domain/ids.ts';
import { ValidationError } from '../domain/errors.ts';
import type { Clock } from '../domain/clock.ts';
import type { DeliveryRepository, WebhookDelivery, WebhookRepository } from '../store/webhooks.ts';
import type { Page, PageRequest } from '../store/pages.ts';
import { writeWithRetry } from './optimistic.ts';
import type { Needs } from './services.ts';

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
    return this.deliveries.list({ webhookId: id }, page);
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

  private checked(fields: WebhookFields): WebhookFields {
    const problem = this.targetProblem(fields.url);
    if (problem) throw ValidationError.of('url', problem);
    return fields;
  }

  /**
   * Why a URL may not receive webhooks here, if it may not: in AWS, a URL naming a private
   * address is refused at once (the sender checks again on every connect, after DNS).
   */
  targetProblem(url: string): string | undefined {
    if (this.allowPrivateNetworks) return undefined;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) && !isPublicAddress(host))) {
      return 'must reach a public address';
    }
    return undefined;
  }
}

export const webhookService = ({
  webhookRepository,
  webhookDeliveries,
  clock,
  settings,
}: Needs<'webhookRepository' | 'webhookDeliveries' | 'clock' | 'settings'>) =>
  new WebhookService({
    repository: webhookRepository,
    deliveries: webhookDeliveries,
    clock,
    allowPrivateNetworks: settings.allowPrivateWebhookTargets ?? false,
  });
