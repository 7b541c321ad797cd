import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LIMITS } from '../domain/limits.ts';
import {
  MalformedRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  VersionMismatchError,
} from '../domain/errors.ts';

export function lowerCaseHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** The raw body as text, whatever API Gateway did to it, checked against the size limit. */
export function bodyText(event: APIGatewayProxyEventV2, limitBytes: number = LIMITS.maxBodyBytes): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const buffer = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (buffer.byteLength > limitBytes) throw new PayloadTooLargeError(limitBytes);
  return buffer.toString('utf8');
}

/**
 * Parses a JSON body; anything that is not JSON is a 400. A body declared as another media
 * type is a 415, except curl's default form type, whose body is very often JSON typed by hand.
 */
export function parseJsonBody(text: string | undefined, headers: Record<string, string>): unknown {
  if (text === undefined) return undefined;
  const mediaType = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  const jsonLike =
    mediaType === undefined ||
    mediaType === 'application/x-www-form-urlencoded' ||
    /^application\/([a-z.+-]+\+)?json$/.test(mediaType);
  if (!jsonLike) throw new UnsupportedMediaTypeError(`Send JSON with "Content-Type: application/json", not ${mediaType}.`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedRequestError(`The body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The version an `If-Match` header asks for: a number, `undefined` when absent or `*`.
 * A value that is not one of our ETags can never match, so it is a 412.
 */
export function ifMatchVersion(headers: Record<string, string>, entity: string, id: string): number | undefined {
  const value = headers['if-match']?.trim();
  if (value === undefined || value === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value);
  if (!match) throw new VersionMismatchError(entity, id);
  return Number(match[1]);
}

export function etag(version: number): string {
  return `"${version}"`;
}
