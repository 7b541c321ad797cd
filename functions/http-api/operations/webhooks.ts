import * as z from 'zod';
import { WebhookInput } from '../../../shared/domain/webhooks.ts';
import { LIMITS } from '../../../shared/domain/limits.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { EntityMeta, IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';

export const WebhookView = z
  .object({
    ...EntityMeta,
    url: z.string(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    description: z.string().optional(),
    disabledReason: z.string().optional().meta({ description: 'Why Kith switched the subscription off' }),
  })
  .meta({ id: 'Webhook' });

const WithSecret = WebhookView.extend({
  secret: z.string().meta({ description: 'Signing secret (`whsec_…`), shown in this response only' }),
}).meta({ id: 'WebhookWithSecret' });

export const DeliveryView = z
  .object({
    id: z.string().meta({ description: 'Also the `webhook-id` header: the same on every attempt' }),
    webhookId: z.string().optional().meta({ description: 'The subscription (absent for workflow webhook actions)' }),
    workflowId: z.string().optional().meta({ description: 'The workflow whose webhook action sent it' }),
    url: z.string().optional().meta({ description: 'Where a workflow webhook action sends it' }),
    eventId: z.string(),
    eventType: z.string(),
    contactId: z.string().optional(),
    payload: z.string().meta({ description: 'The exact body sent' }),
    status: z.enum(['pending', 'delivering', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.iso.datetime().optional(),
    attemptLog: z.array(
      z.object({ at: z.string(), statusCode: z.number().int().optional(), latencyMs: z.number(), error: z.string().optional() }),
    ),
    lastStatusCode: z.number().int().optional(),
    lastLatencyMs: z.number().optional(),
    lastError: z.string().optional(),
    deliveredAt: z.iso.datetime().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookDelivery' });

const noStore = { 'cache-control': 'no-store' };

export const webhookOperations = {
  createWebhook: operation({
    tag: 'Webhooks',
    summary: 'Subscribe a URL to events',
    description:
      'Events are named like `contact.created`; `contact.*` and `*` subscribe to a family or to everything. ' +
      'Deliveries are POSTs signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), ' +
      `retried with exponential backoff up to ${LIMITS.maxWebhookAttempts} attempts over about three days. ` +
      'The signing secret is in this response only.',
    body: WebhookInput,
    idempotent: true,
    responses: { 201: { description: 'The subscription, with its secret', schema: WithSecret } },
    async handle({ body, principal }, { webhooks }) {
      const webhook = await webhooks.create(body, principal.id);
      return { status: 201, body: webhook, version: webhook.version, location: `/v1/webhooks/${webhook.id}`, headers: noStore };
    },
  }),

  listWebhooks: operation({
    tag: 'Webhooks',
    summary: 'List webhook subscriptions (without secrets)',
    query: PageQuery,
    responses: { 200: { description: 'A page of subscriptions', schema: pageOf(WebhookView) } },
    async handle({ query }, { webhooks }) {
      return { body: await webhooks.list(query) };
    },
  }),

  getWebhook: operation({
    tag: 'Webhooks',
    summary: 'Read a webhook subscription',
    params: IdParams,
    responses: { 200: { description: 'The subscription', schema: WebhookView } },
    async handle({ params }, { webhooks }) {
      const webhook = await webhooks.get(params.id);
      return { body: webhook, version: webhook.version };
    },
  }),

  updateWebhook: operation({
    tag: 'Webhooks',
    summary: 'Change a webhook subscription (JSON merge patch)',
    params: IdParams,
    body: z.record(z.string(), z.unknown()).meta({ description: 'A JSON merge patch of the subscription' }),
    responses: { 200: { description: 'The subscription', schema: WebhookView } },
    async handle({ params, body, headers, principal }, { webhooks }) {
      const webhook = await webhooks.update(params.id, body, principal.id, ifMatchVersion(headers, 'webhook', params.id));
      return { body: webhook, version: webhook.version };
    },
  }),

  deleteWebhook: operation({
    tag: 'Webhooks',
    summary: 'Delete a webhook subscription',
    description: 'Pending retries stop; the delivery log expires on its own.',
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    async handle({ params, headers }, { webhooks }) {
      await webhooks.remove(params.id, ifMatchVersion(headers, 'webhook', params.id));
      return { status: 204 };
    },
  }),

  rotateWebhookSecret: operation({
    tag: 'Webhooks',
    summary: 'Replace the signing secret',
    description: 'The new secret is in this response only and signs every delivery from now on.',
    params: IdParams,
    idempotent: true,
    responses: { 200: { description: 'The subscription, with its new secret', schema: WithSecret } },
    async handle({ params, principal }, { webhooks }) {
      const webhook = await webhooks.rotateSecret(params.id, principal.id);
      return { body: webhook, version: webhook.version, headers: noStore };
    },
  }),

  listWebhookDeliveries: operation({
    tag: 'Webhooks',
    summary: 'The delivery log of a subscription, newest first',
    description: `Status, attempts, response codes and latencies; kept ${LIMITS.webhookDeliveryRetentionDays} days.`,
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of deliveries', schema: pageOf(DeliveryView) } },
    async handle({ params, query }, { webhooks }) {
      return { body: await webhooks.deliveriesOf(params.id, query) };
    },
  }),
};
