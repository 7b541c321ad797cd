import { createHash, createHmac, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import * as z from 'zod';
import { LIMITS } from './limits.ts';
import { cleanText } from './normalize.ts';
import { applyMergePatch, isPlainObject } from './merge-patch.ts';
import { parseOrThrow } from './validation.ts';
import { ValidationError } from './errors.ts';

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

export interface WebhookFields {
  url: string;
  events: string[];
  enabled: boolean;
  description?: string;
}

export interface Webhook extends WebhookFields {
  id: string;
  /** Signing secret (`whsec_…`). Shown once, when the subscription is created. */
  secret: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
  /** Why Kith switched the subscription off (the receiver answered 410 Gone). */
  disabledReason?: string;
}

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

export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some(
    (pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** 32 random bytes: the scheme asks for 24 to 64. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The `webhook-signature` value for one attempt. */
export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  const mac = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The body every receiver gets: the Standard Webhooks envelope around the (small) event detail. */
export function webhookPayload(type: string, occurredAt: string, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: occurredAt, data });
}

/**
 * When attempt `attempt + 1` should follow a failed attempt `attempt` (1-based): exponential
 * backoff (30 s, 2 min, 8 min, … capped at a day) with ±20 % jitter so a recovering receiver is
 * not hit by every retry at once. The jitter is derived from the delivery, so it is reproducible.
 * A receiver's `Retry-After` is honoured when it asks for longer.
 */
export function retryDelayMs(deliveryId: string, attempt: number, retryAfterSeconds?: number): number {
  const base = Math.min(
    LIMITS.webhookRetryBaseSeconds * LIMITS.webhookRetryFactor ** (attempt - 1),
    LIMITS.webhookRetryMaxDelaySeconds,
  );
  const unit = createHash('sha256').update(`${deliveryId}:${attempt}`).digest().readUInt32BE(0) / 0xffffffff;
  const jittered = base * (0.8 + 0.4 * unit);
  const asked =
    retryAfterSeconds !== undefined && retryAfterSeconds > 0
      ? Math.min(retryAfterSeconds, LIMITS.webhookRetryMaxDelaySeconds)
      : 0;
  return Math.round(Math.max(jittered, asked) * 1000);
}

export type AttemptVerdict = 'delivered' | 'retry' | 'gone';

/** 2xx delivered; 410 Gone means the receiver wants no more; anything else (3xx included) is retried. */
export function verdictOf(statusCode: number | undefined): AttemptVerdict {
  if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode === 410) return 'gone';
  return 'retry';
}

/**
 * Addresses a webhook must never reach from inside the cloud: loopback, private ranges,
 * link-local (the instance metadata service lives at 169.254.169.254), carrier-grade NAT,
 * multicast and reserved space, in IPv4 and IPv6 (IPv4-mapped IPv6 is checked as IPv4).
 */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 0) return false;
  if (version === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isPublicAddress(mapped[1]!);
    return !NON_PUBLIC.check(address, 'ipv6');
  }
  return !NON_PUBLIC.check(address, 'ipv4');
}
