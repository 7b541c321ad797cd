import type { ContactFields } from './contact.ts';

/**
 * What a stored contact is made of and what derives from it. Apart from contact.ts, whose input
 * rules (zod, phone metadata) the consumers that only read contacts should not load.
 */

export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketing_qualified_lead',
  'sales_qualified_lead',
  'opportunity',
  'customer',
  'evangelist',
  'churned',
  'other',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export const CONSENT_STATUSES = ['granted', 'denied', 'pending', 'withdrawn'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
/** The channels Kith records consent for; a closed set, so filters and reports can rely on it. */
export const CONSENT_CHANNELS = ['email', 'sms', 'phone', 'post', 'whatsapp', 'push'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export const CONTACT_STATUSES = ['active', 'archived', 'merged'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/**
 * What stays of a person who was erased (GDPR art. 17): no personal data at all, only what
 * tells readers (404) and late events that the record is gone for good, and who erased it.
 */
export interface ErasedContact {
  id: string;
  status: 'erased';
  version: number;
  erasureId: string;
  erasedAt: string;
  erasedBy: string;
  updatedAt: string;
  updatedBy: string;
}

export function isErased(record: { status?: unknown } | undefined): record is ErasedContact {
  return record?.status === 'erased';
}

/** Weighted share of the fields a useful contact has filled, 0–1, two decimals. */
export function completenessOf(fields: ContactFields): number {
  const checks: [boolean, number][] = [
    [Boolean(fields.firstName && fields.lastName), 0.2],
    [fields.emails.length > 0, 0.2],
    [fields.phones.length > 0, 0.15],
    [Boolean(fields.companyId), 0.1],
    [Boolean(fields.jobTitle), 0.1],
    [Boolean(fields.address?.city || fields.address?.country), 0.1],
    [Boolean(fields.lifecycleStage), 0.05],
    [Boolean(fields.ownerId), 0.05],
    [Object.keys(fields.socialProfiles ?? {}).length > 0, 0.05],
  ];
  const score = checks.reduce((sum, [ok, weight]) => sum + (ok ? weight : 0), 0);
  return Math.round(score * 100) / 100;
}

export function primaryEmail(fields: Pick<ContactFields, 'emails'>): string | undefined {
  return fields.emails.find((e) => e.primary)?.address;
}

export function displayName(contact: Pick<ContactFields, 'firstName' | 'lastName' | 'nickname' | 'emails'>): string {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return name || contact.nickname || contact.emails[0]?.address || '(no name)';
}
