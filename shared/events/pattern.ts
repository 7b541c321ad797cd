/**
 * EventBridge event patterns, matched with EventBridge's semantics so the local bus routes
 * exactly what the AWS rules route:
 *  - every field named in the pattern must match (AND); the values listed for a field are
 *    alternatives (OR);
 *  - an array in the event matches when any of its elements does, and the fields of one
 *    nested pattern must all be found in the same array element;
 *  - matchers apply to leaves only: an object where the pattern expects a value counts as
 *    absent, so it satisfies `{ "exists": false }` and nothing else;
 *  - `null` is a value (`[null]` matches it, `exists: true` too); `[]` holds no value.
 */

export type NumericOperator = '=' | '<' | '<=' | '>' | '>=';
export type NumericCondition = readonly [NumericOperator, number] | readonly [NumericOperator, number, NumericOperator, number];

export type AnythingBut = string | number | readonly (string | number)[] | { prefix: string } | { suffix: string };

export type PatternMatcher =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { 'equals-ignore-case': string }
  | { 'anything-but': AnythingBut }
  | { exists: boolean }
  | { numeric: NumericCondition };

/** A pattern: each field holds either the values it may take or a nested pattern. */
export interface EventPattern {
  readonly [field: string]: readonly PatternMatcher[] | EventPattern;
}

type Leaf = string | number | boolean | null;

/** Whether `event` (an envelope, or any JSON object) matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchesObject(pattern, event);
}

function matchesObject(pattern: EventPattern, value: unknown): boolean {
  if (Array.isArray(value)) {
    // A nested pattern must hold within one element; an empty array has no fields at all.
    const elements = value.flat(Infinity);
    return elements.length === 0 ? matchesObject(pattern, {}) : elements.some((element) => matchesObject(pattern, element));
  }
  const object = isObject(value) ? value : {};
  return Object.entries(pattern).every(([field, expected]) =>
    isMatcherList(expected) ? matchesLeaf(expected, object[field]) : matchesObject(expected, object[field]),
  );
}

function matchesLeaf(matchers: readonly PatternMatcher[], value: unknown): boolean {
  const values = leafValuesOf(value);
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) return values.length > 0 === matcher.exists;
    return values.some((leaf) => matchesValue(matcher, leaf));
  });
}

function leafValuesOf(value: unknown): Leaf[] {
  if (value === undefined || isObject(value)) return [];
  if (Array.isArray(value)) return value.flat(Infinity).filter((element): element is Leaf => !isObject(element));
  return [value as Leaf];
}

function matchesValue(matcher: PatternMatcher, value: Leaf): boolean {
  if (!isObject(matcher)) return matcher === value;
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(matcher.prefix);
  if ('suffix' in matcher) return typeof value === 'string' && value.endsWith(matcher.suffix);
  if ('equals-ignore-case' in matcher) {
    return typeof value === 'string' && value.toLowerCase() === matcher['equals-ignore-case'].toLowerCase();
  }
  if ('numeric' in matcher) return typeof value === 'number' && satisfiesNumeric(matcher.numeric, value);
  if ('anything-but' in matcher) return isAnythingBut(matcher['anything-but'], value);
  return false;
}

function isAnythingBut(excluded: AnythingBut, value: Leaf): boolean {
  if (Array.isArray(excluded)) return !excluded.includes(value as string | number);
  if (isObject(excluded)) {
    if (typeof value !== 'string') return false;
    if ('prefix' in excluded) return !value.startsWith(excluded.prefix);
    return !value.endsWith(excluded.suffix);
  }
  return excluded !== value;
}

function satisfiesNumeric(condition: NumericCondition, value: number): boolean {
  for (let i = 0; i < condition.length; i += 2) {
    const operator = condition[i] as NumericOperator;
    const bound = condition[i + 1] as number;
    const ok =
      operator === '='
        ? value === bound
        : operator === '<'
          ? value < bound
          : operator === '<='
            ? value <= bound
            : operator === '>'
              ? value > bound
              : value >= bound;
    if (!ok) return false;
  }
  return true;
}

/**
 * What EventBridge would refuse in a pattern, as readable messages (empty when valid). The
 * local bus refuses to start with an invalid subscription, so a typo fails on the laptop
 * rather than at deploy time.
 */
export function patternErrors(pattern: unknown, path = ''): string[] {
  if (!isObject(pattern)) return [`${path || 'pattern'} must be an object`];
  const entries = Object.entries(pattern);
  if (entries.length === 0) return [`${path || 'pattern'} must name at least one field`];
  return entries.flatMap(([field, expected]) => {
    const at = path ? `${path}.${field}` : field;
    if (Array.isArray(expected)) {
      if (expected.length === 0) return [`${at} must list at least one value`];
      return expected.flatMap((matcher, index) => matcherErrors(matcher, `${at}[${index}]`));
    }
    if (isObject(expected)) return patternErrors(expected, at);
    return [`${at} must be a list of values or a nested pattern, not ${JSON.stringify(expected)}`];
  });
}

const NUMERIC_OPERATORS: readonly string[] = ['=', '<', '<=', '>', '>='];

function matcherErrors(matcher: unknown, at: string): string[] {
  if (!isObject(matcher)) {
    return Array.isArray(matcher) ? [`${at} cannot be an array`] : [];
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) return [`${at} must have exactly one operator`];
  const [operator] = keys as [string];
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      return typeof operand === 'string' ? [] : [`${at}.${operator} must be a string`];
    case 'exists':
      return typeof operand === 'boolean' ? [] : [`${at}.exists must be true or false`];
    case 'numeric':
      return numericErrors(operand, at);
    case 'anything-but':
      return anythingButErrors(operand, at);
    default:
      return [`${at} uses ${operator}, which Kith's patterns do not support`];
  }
}

function numericErrors(operand: unknown, at: string): string[] {
  const valid =
    Array.isArray(operand) &&
    (operand.length === 2 || operand.length === 4) &&
    operand.every((part, index) =>
      index % 2 === 0 ? NUMERIC_OPERATORS.includes(part as string) : typeof part === 'number' && Number.isFinite(part),
    );
  return valid ? [] : [`${at}.numeric must be [operator, number] or [operator, number, operator, number]`];
}

function anythingButErrors(operand: unknown, at: string): string[] {
  if (typeof operand === 'string' || typeof operand === 'number') return [];
  if (Array.isArray(operand)) {
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number');
    return operand.length > 0 && (allStrings || allNumbers) ? [] : [`${at}.anything-but must list only strings or only numbers`];
  }
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    const ok = keys.length === 1 && (keys[0] === 'prefix' || keys[0] === 'suffix') && typeof operand[keys[0]] === 'string';
    return ok ? [] : [`${at}.anything-but takes a value, a list, { prefix } or { suffix }`];
  }
  return [`${at}.anything-but takes a value, a list, { prefix } or { suffix }`];
}

function isMatcherList(value: readonly PatternMatcher[] | EventPattern): value is readonly PatternMatcher[] {
  return Array.isArray(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
