import * as z from 'zod';
import { LIMITS } from './limits.ts';
import { CONSENT_CHANNELS, CONSENT_STATUSES, type ConsentChannel, type ConsentStatus } from './contact.ts';
import { cleanText } from './normalize.ts';
import { parseOrThrow } from './validation.ts';
import { ValidationError } from './errors.ts';

/** `POST /v1/contacts/{id}/consent`: one channel's consent as the person gave or withdrew it. */
export const ConsentChange = z.strictObject({
  channel: z.enum(CONSENT_CHANNELS),
  status: z.enum(CONSENT_STATUSES),
  source: z
    .string()
    .min(1)
    .max(LIMITS.maxTagLength)
    .meta({ description: 'Where the person said so: `web-form`, `double-opt-in`, `phone-call`, `unsubscribe-link` …' }),
  at: z.iso
    .datetime({ offset: true })
    .optional()
    .meta({ description: 'When the person said so (now when absent); never in the future' }),
});
export type ConsentChange = z.output<typeof ConsentChange>;

/** A channel's consent as a contact stores it. */
export interface ConsentRecord {
  status: ConsentStatus;
  at: string;
  source: string;
}

/** Validates a consent change: known channel and status, a source, a time not in the future. */
export function normalizeConsentChange(input: unknown, now: Date): ConsentChange & { at: string } {
  const parsed = parseOrThrow(ConsentChange, input);
  const source = cleanText(parsed.source);
  if (!source) throw ValidationError.of('source', 'must name where the consent was given or withdrawn');
  const at = parsed.at ? new Date(parsed.at) : now;
  if (at.getTime() > now.getTime() + LIMITS.activityFutureToleranceMs) {
    throw ValidationError.of('at', 'is in the future; record consent once the person has given it');
  }
  return { ...parsed, source, at: at.toISOString() };
}

/** The sentence a timeline shows for a consent change, e.g. "Email consent granted (web-form)". */
export function consentSubject(channel: ConsentChannel, status: ConsentStatus, source: string): string {
  const name = channel === 'sms' ? 'SMS' : channel[0]!.toUpperCase() + channel.slice(1);
  return `${name} consent ${status} (${source})`;
}

/** Whether a contact may be contacted on a channel: only an explicit, current `granted`. */
export function hasConsent(
  consent: Partial<Record<ConsentChannel, { status: ConsentStatus }>> | undefined,
  channel: ConsentChannel,
) {
  return consent?.[channel]?.status === 'granted';
}
