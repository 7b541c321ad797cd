import type { AttributeValue } from 'aws-lambda';
import type { JsonValue } from './types.ts';

/** A stream image: attribute name → DynamoDB JSON, as Lambda and Pipes deliver it. */
export type StreamImage = Record<string, AttributeValue>;

/**
 * Plain JSON of one attribute of a stream image. Written by hand rather than with
 * util-dynamodb's `unmarshall` because stream records arrive as JSON (binary as base64 text)
 * and a translator must never throw on a value: a number beyond 2^53 stays a string.
 */
export function jsonOfAttribute(value: AttributeValue): JsonValue {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return numberOf(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return jsonOfImage(value.M);
  if (value.L !== undefined) return value.L.map(jsonOfAttribute);
  if (value.SS !== undefined) return [...value.SS].sort();
  if (value.NS !== undefined) return value.NS.map(numberOf).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (value.B !== undefined) return value.B;
  if (value.BS !== undefined) return [...value.BS].sort();
  return null;
}

export function jsonOfImage(image: StreamImage): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [name, value] of Object.entries(image)) out[name] = jsonOfAttribute(value);
  return out;
}

function numberOf(text: string): number | string {
  const value = Number(text);
  const exactInteger = /^-?\d+$/.test(text) ? Number.isSafeInteger(value) : Number.isFinite(value);
  return exactInteger ? value : text;
}

/** JSON with object keys sorted, so two equal values always serialize the same way. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}

export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Equal in the CRM's sense: an absent field, `null`, an empty list and an empty map all mean
 * "nothing", so a contact created with `tags: []` did not change its tags.
 */
export function sameValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return sameJson(isEmpty(a) ? undefined : a, isEmpty(b) ? undefined : b);
}

function isEmpty(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}
