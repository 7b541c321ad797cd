import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ConflictError,
  DomainError,
  MalformedRequestError,
  PayloadTooLargeError,
  SuppressedIdentityError,
  ValidationError,
  VersionMismatchError,
  type FieldError,
} from '../domain/errors.ts';

/** RFC 9457 problem details, as every error of the API is sent. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  existingId?: string;
  currentVersion?: number;
}

export const PROBLEM_BASE = 'https://kith.dev/problems/';

const BY_KIND: Record<string, { status: number; title: string }> = {
  malformed: { status: 400, title: 'Malformed request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  idempotency_in_progress: { status: 409, title: 'Request in progress' },
  suppressed: { status: 409, title: 'Identity suppressed after an erasure' },
  version_mismatch: { status: 412, title: 'Precondition failed' },
  too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  validation: { status: 422, title: 'Validation failed' },
  too_many_requests: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  not_available: { status: 501, title: 'Not available in this deployment' },
};

export function problem(kind: keyof typeof BY_KIND, detail?: string, extra: Partial<Problem> = {}): Problem {
  const { status, title } = BY_KIND[kind]!;
  return { type: `${PROBLEM_BASE}${kind.replaceAll('_', '-')}`, title, status, ...(detail ? { detail } : {}), ...extra };
}

/** The problem a domain error means; `undefined` for anything that is our fault (a 500). */
export function problemOf(error: unknown): Problem | undefined {
  if (!(error instanceof DomainError)) return undefined;
  if (error instanceof ValidationError) return problem('validation', error.message, { errors: error.errors });
  if (error instanceof ConflictError) {
    return problem('conflict', error.message, {
      ...(error.existingId ? { existingId: error.existingId } : {}),
      ...(error.path ? { errors: [{ path: error.path, message: error.message }] } : {}),
    });
  }
  if (error instanceof VersionMismatchError) {
    return problem('version_mismatch', error.message, error.currentVersion ? { currentVersion: error.currentVersion } : {});
  }
  if (error instanceof PayloadTooLargeError || error instanceof MalformedRequestError) return problem(error.kind, error.message);
  if (error instanceof SuppressedIdentityError) {
    return problem('suppressed', error.message, { errors: error.paths.map((path) => ({ path, message: 'is suppressed' })) });
  }
  return problem(error.kind in BY_KIND ? error.kind : 'internal', error.message);
}

export function problemResponse(body: Problem, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(body),
  };
}
