import * as z from 'zod';
import { LIMITS } from './limits.ts';
import { cleanText } from './normalize.ts';
import { applyMergePatch, isPlainObject } from './merge-patch.ts';
import { parseOrThrow } from './validation.ts';
import { ValidationError } from './errors.ts';
import type { Webhook, WebhookFields } from './webhook-delivery.ts';

export {
  generateWebhookSecret,
  isPublicAddress,
  matchesEventType,
  retryDelayMs,
  signWebhook,
  verdictOf,
  webhookPayload,
  WEBHOOK_SECRET_PREFIX,
  type AttemptVerdict,
  type Webhook,
  type WebhookFields,
} from './webhook-delivery.ts';

/**
 * Webhooks: subscriptions to Kith's domain events, delivered by POST and signed per the
 * Standard Webhooks scheme (https://www.standardwebhooks.com): headers `webhook-id`,
 * `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * keyed with the base64 secret behind `whsec_`.
 */

/** `contact.created`, `contact.*` (every contact event) or `*` (everything). */
const EVENT_PATTERN = /^(?:\*|[a-z][a-z0-9_]*\.(?:\*|[a-z][a-z0-9_]*))$/;

/** Where a webhook may point: http(s), without credentials (the signature authenticates). */
export const WebhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
  .max(LIMITS.maxWebhookUrlLength)
  .refine(
    (value) => !new URL(value).username && !new URL(value).password,
    'must not carry credentials; authenticate with the signature',
  );

export const WebhookInput = z.strictObject({
  url: WebhookUrl,
  events: z
    .array(z.string().regex(EVENT_PATTERN, 'must be an event type such as "contact.created", "contact.*" or "*"'))
    .min(1)
    .max(LIMITS.maxWebhookEventPatterns),
  enabled: z.boolean().optional(),
  description: z.string().max(LIMITS.maxTextLength).optional(),
});
export type WebhookInput = z.output<typeof WebhookInput>;

export function normalizeWebhook(input: unknown): WebhookFields {
  const parsed = parseOrThrow(WebhookInput, input);
  const description = cleanText(parsed.description);
  return {
    url: parsed.url,
    events: [...new Set(parsed.events)],
    enabled: parsed.enabled ?? true,
    ...(description ? { description } : {}),
  };
}

export function patchWebhook(current: Webhook, patch: unknown): WebhookFields {
  if (!isPlainObject(patch)) throw ValidationError.of('(body)', 'a merge patch must be a JSON object');
  const readOnly = ['id', 'secret', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'disabledReason'].filter(
    (f) => f in patch,
  );
  if (readOnly.length > 0) throw new ValidationError(readOnly.map((path) => ({ path, message: 'is read-only' })));
  const { url: u, events, enabled, description } = current;
  return normalizeWebhook(applyMergePatch({ url: u, events, enabled, description }, patch));
}
