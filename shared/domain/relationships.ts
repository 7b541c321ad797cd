import * as z from 'zod';
import { LIMITS } from './limits.ts';
import { cleanText, isCalendarDate } from './normalize.ts';
import { parseOrThrow } from './validation.ts';
import { ValidationError } from './errors.ts';

/**
 * Typed, weighted ties between contacts. Every tie is stored from both ends: the inverse of
 * "Ada reports_to Grace" is "Grace manages Ada", written in the same transaction.
 */
export const RELATIONSHIP_TYPES = [
  'introduced_by',
  'introduced',
  'colleague',
  'former_colleague',
  'reports_to',
  'manages',
  'friend',
  'family',
  'custom',
] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

const INVERSE: Record<Exclude<RelationshipType, 'custom'>, Exclude<RelationshipType, 'custom'>> = {
  introduced_by: 'introduced',
  introduced: 'introduced_by',
  colleague: 'colleague',
  former_colleague: 'former_colleague',
  reports_to: 'manages',
  manages: 'reports_to',
  friend: 'friend',
  family: 'family',
};

/** How strong a tie is when nobody said: an acquaintance, neither close nor cold. */
export const DEFAULT_TIE_STRENGTH = 0.5;

const kithId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a Kith id');
const label = z.string().min(1).max(LIMITS.maxTagLength);

export const RelationshipInput = z.strictObject({
  otherId: kithId.meta({ description: 'The contact at the other end' }),
  type: z.enum(RELATIONSHIP_TYPES),
  label: label.optional().meta({ description: 'Required for `custom`, e.g. "mentor"' }),
  inverseLabel: label
    .optional()
    .meta({ description: '`custom` only: what the other end is, e.g. "mentee"; the same label if left out' }),
  strength: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta({ description: '0 (cold) to 1 (would do anything for them); 0.5 if left out' }),
  notes: z.string().max(LIMITS.maxTextLength).optional(),
  since: z.string().refine(isCalendarDate, 'must be a date as YYYY-MM-DD').optional(),
});
export type RelationshipInput = z.output<typeof RelationshipInput>;

/** One end of a tie, as the contact `contactId` sees it. */
export interface RelationshipSide {
  contactId: string;
  otherId: string;
  type: RelationshipType;
  /** Identifies the tie among the contact's ties with `otherId`: the type, or `custom:<label>`. */
  typeKey: string;
  label?: string;
  inverseLabel?: string;
  strength: number;
  notes?: string;
  since?: string;
}

export interface Relationship extends RelationshipSide {
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

/** `custom:<slug>` keys are lower-case ASCII words joined by `-`, safe inside a key and a path. */
export function labelSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function typeKeyOf(type: RelationshipType, label?: string): string {
  return type === 'custom' ? `custom:${labelSlug(label ?? '')}` : type;
}

const TYPE_KEY = /^(?:custom:[a-z0-9]+(?:-[a-z0-9]+)*|[a-z_]+)$/;

/** Whether a path segment can name a tie type, so a bad one is a 404, never a strange key. */
export function isTypeKey(value: string): boolean {
  return TYPE_KEY.test(value) && (value.startsWith('custom:') || Object.hasOwn(INVERSE, value));
}

/** Validates a tie from `contactId`'s point of view and returns both of its ends. */
export function relationshipSides(contactId: string, input: unknown): { side: RelationshipSide; inverse: RelationshipSide } {
  const parsed = parseOrThrow(RelationshipInput, input);
  const errors: { path: string; message: string }[] = [];
  if (parsed.otherId === contactId) errors.push({ path: 'otherId', message: 'must be another contact' });
  const labelText = cleanText(parsed.label);
  const inverseText = cleanText(parsed.inverseLabel);
  if (parsed.type === 'custom') {
    if (!labelText || labelSlug(labelText) === '')
      errors.push({ path: 'label', message: 'is required for custom ties and needs a letter or digit' });
    if (inverseText !== undefined && labelSlug(inverseText) === '')
      errors.push({ path: 'inverseLabel', message: 'needs a letter or digit' });
  } else {
    if (parsed.label !== undefined) errors.push({ path: 'label', message: 'applies to custom ties only' });
    if (parsed.inverseLabel !== undefined) errors.push({ path: 'inverseLabel', message: 'applies to custom ties only' });
  }
  if (errors.length > 0) throw new ValidationError(errors);

  const shared = {
    strength: parsed.strength ?? DEFAULT_TIE_STRENGTH,
    ...(cleanText(parsed.notes) ? { notes: cleanText(parsed.notes) } : {}),
    ...(parsed.since ? { since: parsed.since } : {}),
  };
  if (parsed.type === 'custom') {
    const there = inverseText ?? labelText!;
    return {
      side: {
        contactId,
        otherId: parsed.otherId,
        type: 'custom',
        typeKey: typeKeyOf('custom', labelText),
        label: labelText,
        ...(inverseText ? { inverseLabel: inverseText } : {}),
        ...shared,
      },
      inverse: {
        contactId: parsed.otherId,
        otherId: contactId,
        type: 'custom',
        typeKey: typeKeyOf('custom', there),
        label: there,
        ...(inverseText ? { inverseLabel: labelText } : {}),
        ...shared,
      },
    };
  }
  return {
    side: { contactId, otherId: parsed.otherId, type: parsed.type, typeKey: parsed.type, ...shared },
    inverse: {
      contactId: parsed.otherId,
      otherId: contactId,
      type: INVERSE[parsed.type],
      typeKey: INVERSE[parsed.type],
      ...shared,
    },
  };
}

/** The other end of a stored tie, with `contactId` and `otherId` swapped. */
export function inverseOf(side: RelationshipSide): RelationshipSide {
  const { contactId, otherId, type, label, inverseLabel, ...shared } = side;
  if (type === 'custom') {
    const there = inverseLabel ?? label!;
    return {
      ...shared,
      contactId: otherId,
      otherId: contactId,
      type,
      typeKey: typeKeyOf('custom', there),
      label: there,
      ...(inverseLabel ? { inverseLabel: label } : {}),
    };
  }
  const inverse = INVERSE[type];
  return { ...shared, contactId: otherId, otherId: contactId, type: inverse, typeKey: inverse };
}
