import * as z from 'zod';
import type { Contact } from './contact.ts';
import type { FieldDefinitionInput } from './custom-fields.ts';
import { ValidationError, type FieldError } from './errors.ts';
import { isPlainObject } from './merge-patch.ts';
import { LIMITS } from './limits.ts';
import {
  CUSTOM_FIELD_PREFIX,
  epochMillis,
  fieldSpecOf,
  type FieldSpec,
  type Scalar,
  type ValueContext,
} from './filter-fields.ts';
import { formatPath } from './validation.ts';

/**
 * The filter language of DESIGN.md §5: one tree that selects contacts everywhere (search,
 * segments, workflow conditions, exports).
 *
 *   { "and": [ { "field": "tags", "op": "contains", "value": "vip" },
 *              { "not": { "field": "lastInteractionAt", "op": "gte", "value": "now-90d" } } ] }
 *
 * `compileFilter` checks a tree against the fields (core and custom) and resolves it (relative
 * dates through the clock, values normalized like the field's values); `matchesFilter` evaluates
 * the compiled tree on a contact. The OpenSearch compiler and the embedded index take the same
 * compiled tree, so the three interpreters cannot read a filter differently.
 */

export const FILTER_OPERATORS = [
  'eq',
  'neq',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'exists',
  'missing',
  'contains',
  'prefix',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type FilterValue = string | number | boolean;

export interface Condition {
  field: string;
  op: FilterOperator;
  value?: FilterValue | FilterValue[];
}
export type Filter = Condition | { and: Filter[] } | { or: Filter[] } | { not: Filter };

export interface SortKey {
  field: string;
  order: 'asc' | 'desc';
}

const RANGE_OPERATORS = new Set<FilterOperator>(['gt', 'gte', 'lt', 'lte', 'between']);
const ORDERED_KINDS = new Set(['number', 'date', 'datetime']);
const RELATIVE_DATE = /^now(?:([+-])(\d{1,6})([mhdw]))?$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Every structural problem of a filter tree, each with the path of the offending node. */
function structureErrors(node: unknown, path: (string | number)[], budget: { nodes: number }, depth: number): FieldError[] {
  const at = (...more: (string | number)[]) => formatPath([...path, ...more]);
  if (--budget.nodes < 0) return [{ path: at(), message: `a filter may have at most ${LIMITS.maxFilterNodes} nodes` }];
  if (depth > LIMITS.maxFilterDepth)
    return [{ path: at(), message: `a filter may nest at most ${LIMITS.maxFilterDepth} levels` }];
  if (!isPlainObject(node)) return [{ path: at(), message: 'must be a condition or an and/or/not object' }];
  const keys = Object.keys(node);
  for (const group of ['and', 'or'] as const) {
    if (!(group in node)) continue;
    if (keys.length !== 1) return [{ path: at(), message: `an ${group} node has no other keys` }];
    const items = node[group];
    if (!Array.isArray(items) || items.length === 0) return [{ path: at(group), message: 'must be a non-empty array' }];
    return items.flatMap((item, index) => structureErrors(item, [...path, group, index], budget, depth + 1));
  }
  if ('not' in node) {
    if (keys.length !== 1) return [{ path: at(), message: 'a not node has no other keys' }];
    return structureErrors(node.not, [...path, 'not'], budget, depth + 1);
  }
  const errors: FieldError[] = [];
  for (const key of keys)
    if (!['field', 'op', 'value'].includes(key)) errors.push({ path: at(key), message: 'is not a known key' });
  if (typeof node.field !== 'string' || node.field.length === 0 || node.field.length > 200) {
    errors.push({ path: at('field'), message: 'must name a field, e.g. lastName or customFields.tier' });
  }
  if (!(FILTER_OPERATORS as readonly unknown[]).includes(node.op)) {
    errors.push({ path: at('op'), message: `must be one of: ${FILTER_OPERATORS.join(', ')}` });
  }
  const op = node.op as FilterOperator;
  const value = node.value;
  const isScalar = (v: unknown) =>
    (typeof v === 'string' && v.length <= LIMITS.maxFilterStringLength) ||
    (typeof v === 'number' && Number.isFinite(v)) ||
    typeof v === 'boolean';
  if (op === 'exists' || op === 'missing') {
    if (value !== undefined) errors.push({ path: at('value'), message: `${op} takes no value` });
  } else if (op === 'in' || op === 'nin') {
    if (!Array.isArray(value) || value.length === 0 || value.length > LIMITS.maxFilterValues || !value.every(isScalar)) {
      errors.push({ path: at('value'), message: `must be a list of 1–${LIMITS.maxFilterValues} values` });
    }
  } else if (op === 'between') {
    if (!Array.isArray(value) || value.length !== 2 || !value.every(isScalar)) {
      errors.push({ path: at('value'), message: 'must be [low, high]' });
    }
  } else if (FILTER_OPERATORS.includes(op) && !isScalar(value)) {
    errors.push({
      path: at('value'),
      message: `must be a string, a number or a boolean (strings ≤ ${LIMITS.maxFilterStringLength})`,
    });
  }
  return errors;
}

/** Structural check of a filter tree: the shape, operators and value shapes, not the fields. */
export function filterStructureErrors(input: unknown): FieldError[] {
  return structureErrors(input, [], { nodes: LIMITS.maxFilterNodes }, 1);
}

const ConditionDoc = z.strictObject({
  field: z.string().meta({ description: 'A core field (`lastName`, `emails.address`, `tags`, …) or `customFields.<key>`' }),
  op: z.enum(FILTER_OPERATORS),
  value: z
    .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])
    .optional()
    .meta({ description: 'Dates take ISO values or `now`, `now-90d`, `now+2w`, `now-6h`, `now-30m`.' }),
});
const { $schema: _schema, ...conditionJsonSchema } = z.toJSONSchema(ConditionDoc, { target: 'draft-2020-12' });

/**
 * The request schema of a filter: validates the structure with exact paths (`filter.and[1].op`)
 * and documents the tree in OpenAPI. Field names and value types are checked by `compileFilter`.
 */
export const FilterSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    for (const error of filterStructureErrors(value)) {
      ctx.addIssue({ code: 'custom', path: pathSegments(error.path), message: error.message });
    }
  })
  .transform((value) => value as Filter)
  .meta({
    id: 'Filter',
    description:
      'A condition `{ field, op, value }` or `{ "and": [...] }`, `{ "or": [...] }`, `{ "not": {...} }`. ' +
      'Operators: eq, neq, in, nin, gt, gte, lt, lte, between, exists, missing, contains (list membership), prefix.',
    oneOf: [
      conditionJsonSchema,
      { type: 'object', properties: { and: { type: 'array', items: { $ref: '#/components/schemas/Filter' } } } },
      { type: 'object', properties: { or: { type: 'array', items: { $ref: '#/components/schemas/Filter' } } } },
      { type: 'object', properties: { not: { $ref: '#/components/schemas/Filter' } } },
    ],
  });

/** `and[1].op` → ['and', 1, 'op'] (the inverse of formatPath for our paths). */
function pathSegments(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

export const SortSchema = z
  .array(z.strictObject({ field: z.string().min(1).max(200), order: z.enum(['asc', 'desc']).default('asc') }))
  .max(LIMITS.maxSortKeys);

// ————————————————————————————————— compiled form —————————————————————————————————

export type CompiledCondition =
  | { op: 'eq' | 'neq' | 'contains' | 'gt' | 'gte' | 'lt' | 'lte' | 'prefix'; field: FieldSpec; value: Scalar }
  | { op: 'in' | 'nin'; field: FieldSpec; value: Scalar[] }
  | { op: 'between'; field: FieldSpec; value: [Scalar, Scalar] }
  | { op: 'exists' | 'missing'; field: FieldSpec };

/** A filter checked against the fields and resolved to comparable values; what interpreters consume. */
export type CompiledFilter =
  | { all: true }
  | { and: CompiledFilter[] }
  | { or: CompiledFilter[] }
  | { not: CompiledFilter }
  | { condition: CompiledCondition };

export interface FilterContext extends ValueContext {
  /** `now` of relative dates, from the Clock. */
  now: Date;
  definitions: ReadonlyMap<string, FieldDefinitionInput>;
}

export const MATCH_ALL: CompiledFilter = { all: true };

/**
 * Checks a filter (as a client sent it) and resolves it. Throws one ValidationError naming every
 * offending path under `basePath`, e.g. `filter.and[1].op` or `filter.field` for an unknown
 * custom field. `undefined`/`null` is the filter that matches every contact.
 */
export function compileFilter(input: unknown, context: FilterContext, basePath = 'filter'): CompiledFilter {
  if (input === undefined || input === null) return MATCH_ALL;
  const prefix = (path: string) => (path === '' ? basePath : path.startsWith('[') ? `${basePath}${path}` : `${basePath}.${path}`);
  const structural = filterStructureErrors(input);
  if (structural.length > 0) throw new ValidationError(structural.map((e) => ({ ...e, path: prefix(e.path) })));
  const errors: FieldError[] = [];
  const compiled = compileNode(input as Filter, [], context, errors);
  if (errors.length > 0) throw new ValidationError(errors.map((e) => ({ ...e, path: prefix(e.path) })));
  return compiled;
}

function compileNode(node: Filter, path: (string | number)[], context: FilterContext, errors: FieldError[]): CompiledFilter {
  if ('and' in node) return { and: node.and.map((item, i) => compileNode(item, [...path, 'and', i], context, errors)) };
  if ('or' in node) return { or: node.or.map((item, i) => compileNode(item, [...path, 'or', i], context, errors)) };
  if ('not' in node) return { not: compileNode(node.not, [...path, 'not'], context, errors) };
  const fail = (key: string, message: string): CompiledFilter => {
    errors.push({ path: formatPath([...path, key]), message });
    return MATCH_ALL;
  };
  const field = fieldSpecOf(node.field, context.definitions);
  if (!field) {
    return node.field.startsWith(CUSTOM_FIELD_PREFIX)
      ? fail('field', 'is not a defined custom field (see GET /v1/fields)')
      : fail('field', 'is not a field a filter can use');
  }
  const { op } = node;
  if (RANGE_OPERATORS.has(op) && !ORDERED_KINDS.has(field.kind)) {
    return fail('op', `${op} applies to numbers and dates; ${field.path} is ${field.kind}`);
  }
  if (op === 'prefix' && field.kind !== 'text' && field.kind !== 'keyword') {
    return fail('op', `prefix applies to text fields; ${field.path} is ${field.kind}`);
  }
  if (op === 'contains' && !field.multi) return fail('op', `contains applies to lists; use eq on ${field.path}`);
  if (op === 'exists' || op === 'missing') return { condition: { op, field } };

  const resolve = (raw: FilterValue, key: (string | number)[]): Scalar | undefined => {
    const value = resolveValue(field, raw, context, op);
    if ('error' in value) {
      errors.push({ path: formatPath([...path, ...key]), message: value.error });
      return undefined;
    }
    return value.ok;
  };
  if (op === 'in' || op === 'nin' || op === 'between') {
    const raw = node.value as FilterValue[];
    const values = raw.map((v, i) => resolve(v, ['value', i]));
    if (values.some((v) => v === undefined)) return MATCH_ALL;
    return op === 'between'
      ? { condition: { op, field, value: values as [Scalar, Scalar] } }
      : { condition: { op, field, value: [...new Set(values as Scalar[])] } };
  }
  const value = resolve(node.value as FilterValue, ['value']);
  return value === undefined ? MATCH_ALL : { condition: { op, field, value } };
}

function resolveValue(
  field: FieldSpec,
  raw: FilterValue,
  context: FilterContext,
  op: FilterOperator,
): { ok: Scalar } | { error: string } {
  switch (field.kind) {
    case 'number':
      return typeof raw === 'number' ? { ok: raw === 0 ? 0 : raw } : { error: 'must be a number' };
    case 'boolean':
      return typeof raw === 'boolean' ? { ok: raw } : { error: 'must be true or false' };
    case 'date':
    case 'datetime': {
      const millis = typeof raw === 'string' ? (relativeMillis(raw, context.now) ?? instantMillis(raw)) : undefined;
      return millis === undefined
        ? { error: 'must be a date (YYYY-MM-DD), an ISO date-time or a relative date such as now-90d' }
        : { ok: millis };
    }
    case 'text':
    case 'keyword': {
      if (typeof raw !== 'string') return { error: 'must be a string' };
      const value = field.normalize(raw, context);
      if (field.options && op !== 'prefix' && !field.options.includes(value)) {
        return { error: `must be one of: ${field.options.join(', ')}` };
      }
      return { ok: value };
    }
  }
}

function relativeMillis(raw: string, now: Date): number | undefined {
  const match = RELATIVE_DATE.exec(raw.trim());
  if (!match) return undefined;
  const [, sign, amount, unit] = match;
  if (!sign) return now.getTime();
  return now.getTime() + (sign === '-' ? -1 : 1) * Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

function instantMillis(raw: string): number | undefined {
  return epochMillis(raw, 'date') ?? epochMillis(raw, 'datetime');
}

// ————————————————————————————————— evaluation —————————————————————————————————

function test(condition: CompiledCondition, values: Scalar[]): boolean {
  switch (condition.op) {
    case 'eq':
    case 'contains':
      return values.includes(condition.value);
    case 'neq':
      return !values.includes(condition.value);
    case 'in':
      return values.some((v) => condition.value.includes(v));
    case 'nin':
      return !values.some((v) => condition.value.includes(v));
    case 'gt':
      return values.some((v) => v > condition.value);
    case 'gte':
      return values.some((v) => v >= condition.value);
    case 'lt':
      return values.some((v) => v < condition.value);
    case 'lte':
      return values.some((v) => v <= condition.value);
    case 'between': {
      const [low, high] = condition.value;
      return values.some((v) => v >= low && v <= high);
    }
    case 'prefix':
      return values.some((v) => typeof v === 'string' && v.startsWith(condition.value as string));
    case 'exists':
      return values.length > 0;
    case 'missing':
      return values.length === 0;
  }
}

/**
 * Whether a contact satisfies a compiled filter. Pure and synchronous: workflow conditions and
 * segment membership call it on every change. A list field satisfies a comparison when any of
 * its values does; `neq`/`nin`/`missing` hold for a contact without the field.
 */
export function matchesFilter(filter: CompiledFilter, contact: Contact, read: FieldReader = readField): boolean {
  if ('all' in filter) return true;
  if ('and' in filter) return filter.and.every((f) => matchesFilter(f, contact, read));
  if ('or' in filter) return filter.or.some((f) => matchesFilter(f, contact, read));
  if ('not' in filter) return !matchesFilter(filter.not, contact, read);
  return test(filter.condition, read(filter.condition.field, contact));
}

/** How an interpreter reads a field's values; an index may memoize the projection per contact. */
export type FieldReader = (field: FieldSpec, contact: Contact) => Scalar[];
export const readField: FieldReader = (field, contact) => field.values(contact);

/** One-shot form for callers holding a raw filter: compile (throws on an invalid one), then match. */
export function contactMatches(filter: unknown, contact: Contact, context: FilterContext): boolean {
  return matchesFilter(compileFilter(filter, context), contact);
}

// ————————————————————————————————— sorting —————————————————————————————————

export interface CompiledSortKey {
  field: FieldSpec;
  order: 'asc' | 'desc';
}

/** The sort a search uses when the client names none and has no text query. */
export const DEFAULT_SORT: SortKey[] = [{ field: 'createdAt', order: 'desc' }];

export function compileSort(sort: readonly SortKey[], context: FilterContext, basePath = 'sort'): CompiledSortKey[] {
  const errors: FieldError[] = [];
  const compiled = sort.flatMap((key, index) => {
    const field = fieldSpecOf(key.field, context.definitions);
    const path = `${basePath}[${index}].field`;
    if (!field) errors.push({ path, message: 'is not a field' });
    else if (field.multi) errors.push({ path, message: `${field.path} holds a list and cannot be sorted on` });
    else if (field.kind === 'boolean') errors.push({ path, message: `${field.path} is true or false; filter on it instead` });
    else return [{ field, order: key.order }];
    return [];
  });
  if (errors.length > 0) throw new ValidationError(errors);
  return compiled;
}

/** Code-point order (what OpenSearch's keyword sort uses), numbers numerically, false before true. */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'string' && typeof b === 'string') {
    if (a === b) return 0;
    const x = [...a];
    const y = [...b];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
      if (d !== 0) return d;
    }
    return x.length - y.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sort values of a contact: one per key (`null` when it has none), then its id. */
export function sortValuesOf(
  contact: Contact,
  sort: readonly CompiledSortKey[],
  read: FieldReader = readField,
): (Scalar | null)[] {
  return [...sort.map((key) => read(key.field, contact)[0] ?? null), contact.id];
}

/** Compares two sort-value tuples: missing values last in either order, the id ascending last. */
export function compareSortValues(
  a: readonly (Scalar | null)[],
  b: readonly (Scalar | null)[],
  sort: readonly CompiledSortKey[],
): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
      continue;
    }
    const order = i < sort.length && sort[i]!.order === 'desc' ? -1 : 1;
    const d = compareScalars(x, y) * order;
    if (d !== 0) return d;
  }
  return 0;
}
