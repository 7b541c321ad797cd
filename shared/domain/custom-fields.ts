import * as z from 'zod';
import { LIMITS } from './limits.ts';
import { isCalendarDate, normalizeEmail, normalizePhone } from './normalize.ts';
import type { FieldError } from './errors.ts';
import type { CountryCode } from 'libphonenumber-js';

export const FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'enum', 'multi_enum', 'email', 'phone', 'url'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_KEY_PATTERN = /^[a-z][a-zA-Z0-9_]{0,63}$/;

export const FieldDefinitionInput = z
  .strictObject({
    key: z.string().regex(FIELD_KEY_PATTERN, 'must start with a lower-case letter and hold only letters, digits and _ (≤ 64)'),
    label: z.string().trim().min(1).max(LIMITS.maxNameLength),
    type: z.enum(FIELD_TYPES),
    options: z.array(z.string().trim().min(1).max(LIMITS.maxTagLength)).max(LIMITS.maxFieldOptions).optional(),
    required: z.boolean().default(false),
    description: z.string().max(LIMITS.maxTextLength).optional(),
  })
  .superRefine((field, ctx) => {
    const needsOptions = field.type === 'enum' || field.type === 'multi_enum';
    if (needsOptions && (!field.options || field.options.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${field.type} field needs at least one option` });
    }
    if (!needsOptions && field.options !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `options only apply to enum and multi_enum fields` });
    }
    if (field.options && new Set(field.options).size !== field.options.length) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'options must be unique' });
    }
  });
export type FieldDefinitionInput = z.output<typeof FieldDefinitionInput>;

/** What may change on an existing definition: never its key or type, which values depend on. */
export const FieldDefinitionPatch = z.strictObject({
  label: z.string().trim().min(1).max(LIMITS.maxNameLength).optional(),
  options: z.array(z.string().trim().min(1).max(LIMITS.maxTagLength)).max(LIMITS.maxFieldOptions).optional(),
  required: z.boolean().optional(),
  description: z.string().max(LIMITS.maxTextLength).nullable().optional(),
});
export type FieldDefinitionPatch = z.output<typeof FieldDefinitionPatch>;

export interface FieldDefinition extends FieldDefinitionInput {
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type CustomFieldValue = string | number | boolean | string[];

interface CheckContext {
  defaultRegion: CountryCode;
}

/** Validates and normalizes one value against its definition; returns an error message or the value. */
function coerceValue(
  def: FieldDefinitionInput,
  value: unknown,
  ctx: CheckContext,
): { value: CustomFieldValue } | { error: string } {
  switch (def.type) {
    case 'text':
      return typeof value === 'string' && value.length <= LIMITS.maxTextLength
        ? { value: value.trim() }
        : { error: `must be text of at most ${LIMITS.maxTextLength} characters` };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? { value } : { error: 'must be a finite number' };
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { error: 'must be true or false' };
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? { value } : { error: 'must be a date as YYYY-MM-DD' };
    case 'enum':
      return typeof value === 'string' && def.options?.includes(value)
        ? { value }
        : { error: `must be one of: ${def.options?.join(', ')}` };
    case 'multi_enum': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && def.options?.includes(v))) {
        return { error: `must be a list of: ${def.options?.join(', ')}` };
      }
      return { value: [...new Set(value as string[])] };
    }
    case 'email': {
      const email = typeof value === 'string' ? normalizeEmail(value) : undefined;
      return email ? { value: email } : { error: 'must be a valid email address' };
    }
    case 'phone': {
      const phone = typeof value === 'string' ? normalizePhone(value, ctx.defaultRegion) : undefined;
      return phone ? { value: phone } : { error: 'must be a valid phone number' };
    }
    case 'url': {
      if (typeof value !== 'string') return { error: 'must be an http(s) URL' };
      try {
        const url = new URL(value.trim());
        return url.protocol === 'http:' || url.protocol === 'https:'
          ? { value: url.toString() }
          : { error: 'must be an http(s) URL' };
      } catch {
        return { error: 'must be an http(s) URL' };
      }
    }
  }
}

/**
 * Checks the custom field values of a contact against the definitions.
 * `touched` names the keys this write sets or removes (every key on create): only those are
 * checked, so values of a definition deleted later never block unrelated edits.
 */
export function checkCustomFields(
  values: Record<string, unknown>,
  definitions: ReadonlyMap<string, FieldDefinitionInput>,
  touched: ReadonlySet<string>,
  ctx: CheckContext,
): { values: Record<string, CustomFieldValue>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const out: Record<string, CustomFieldValue> = {};
  if (Object.keys(values).length > LIMITS.maxCustomFields) {
    errors.push({ path: 'customFields', message: `at most ${LIMITS.maxCustomFields} custom fields` });
  }
  for (const [key, value] of Object.entries(values)) {
    if (!touched.has(key)) {
      out[key] = value as CustomFieldValue;
      continue;
    }
    const def = definitions.get(key);
    if (!def) {
      errors.push({ path: `customFields.${key}`, message: 'is not a defined custom field (define it with POST /v1/fields)' });
      continue;
    }
    const result = coerceValue(def, value, ctx);
    if ('error' in result) errors.push({ path: `customFields.${key}`, message: result.error });
    else out[key] = result.value;
  }
  for (const key of touched) {
    const def = definitions.get(key);
    if (def?.required && values[key] === undefined) {
      errors.push({ path: `customFields.${key}`, message: 'is required' });
    }
  }
  return { values: out, errors };
}

/** Keys whose definitions are required: a new contact must carry them all. */
export function requiredKeys(definitions: ReadonlyMap<string, FieldDefinitionInput>): string[] {
  return [...definitions.values()].filter((d) => d.required).map((d) => d.key);
}
