import * as z from 'zod';
import type { CountryCode } from 'libphonenumber-js';
import { LIMITS } from './limits.ts';
import { cleanText, normalizeDomain, normalizePhone, normalizeTags } from './normalize.ts';
import { ErrorCollector, parseOrThrow } from './validation.ts';
import { PostalAddress } from './contact.ts';
import { applyMergePatch, isPlainObject } from './merge-patch.ts';
import { ValidationError } from './errors.ts';
import type { EntityMeta } from './entity.ts';

export const CompanyInput = z.strictObject({
  name: z.string().max(LIMITS.maxNameLength),
  domain: z.string().max(253).optional(),
  industry: z.string().max(LIMITS.maxNameLength).optional(),
  employees: z.number().int().min(0).optional(),
  phone: z.string().max(64).optional(),
  address: PostalAddress.optional(),
  description: z.string().max(LIMITS.maxTextLength).optional(),
  ownerId: z.string().max(LIMITS.maxTagLength).optional(),
  tags: z.array(z.string().max(LIMITS.maxTagLength)).max(LIMITS.maxTagsPerContact).optional(),
});
export type CompanyInput = z.output<typeof CompanyInput>;

export interface CompanyFields extends Omit<CompanyInput, 'tags'> {
  tags: string[];
}

export interface Company extends CompanyFields, EntityMeta {
  status: 'active' | 'archived';
}

export const READ_ONLY_COMPANY_FIELDS = ['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'status'] as const;

export function normalizeCompany(input: unknown, defaultRegion: CountryCode): CompanyFields {
  const parsed = parseOrThrow(CompanyInput, input);
  const errors = new ErrorCollector();
  const name = cleanText(parsed.name);
  if (!name) errors.add('name', 'is required');
  let domain: string | undefined;
  if (parsed.domain !== undefined && cleanText(parsed.domain)) {
    domain = normalizeDomain(parsed.domain);
    if (!domain) errors.add('domain', 'must be a domain name such as example.com');
  }
  let phone: string | undefined;
  if (parsed.phone !== undefined && cleanText(parsed.phone)) {
    phone = normalizePhone(parsed.phone, defaultRegion);
    if (!phone) errors.add('phone', 'must be a valid phone number');
  }
  errors.throwIfAny();
  const fields: CompanyFields = {
    name: name!,
    domain,
    industry: cleanText(parsed.industry),
    employees: parsed.employees,
    phone,
    address: parsed.address,
    description: cleanText(parsed.description),
    ownerId: cleanText(parsed.ownerId),
    tags: normalizeTags(parsed.tags ?? []),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as CompanyFields;
}

export function patchCompany(current: Company, patch: unknown, defaultRegion: CountryCode): CompanyFields {
  if (!isPlainObject(patch)) throw ValidationError.of('(body)', 'a merge patch must be a JSON object');
  const readOnly = READ_ONLY_COMPANY_FIELDS.filter((field) => field in patch);
  if (readOnly.length > 0) throw new ValidationError(readOnly.map((field) => ({ path: field, message: 'is read-only' })));
  const { id: _i, version: _v, createdAt: _c, updatedAt: _u, createdBy: _cb, updatedBy: _ub, status: _s, ...writable } = current;
  return normalizeCompany(applyMergePatch(writable, patch), defaultRegion);
}
