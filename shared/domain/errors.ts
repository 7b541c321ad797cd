/**
 * Domain failures. Each one maps to exactly one HTTP status in shared/http/problem.ts;
 * the domain never speaks HTTP itself.
 */
export interface FieldError {
  /** Path into the request, e.g. `emails[0].address` or `customFields.tier`. */
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: string;
}

export class ValidationError extends DomainError {
  readonly kind = 'validation';
  readonly errors: FieldError[];

  constructor(errors: FieldError[], message = 'The request is not valid.') {
    super(message);
    this.errors = errors;
  }

  static of(path: string, message: string): ValidationError {
    return new ValidationError([{ path, message }], `${path} ${message}`);
  }
}

export class MalformedRequestError extends DomainError {
  readonly kind = 'malformed';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly entity: string;
  readonly id: string;

  constructor(entity: string, id: string) {
    super(`No ${entity} with id ${id}.`);
    this.entity = entity;
    this.id = id;
  }
}

/** A unique value (primary email, external id, domain) already belongs to another record. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  readonly existingId?: string;
  readonly path?: string;

  constructor(message: string, existingId?: string, path?: string) {
    super(message);
    this.existingId = existingId;
    this.path = path;
  }
}

/** The caller's If-Match (or the version read before a write) no longer matches. */
export class VersionMismatchError extends DomainError {
  readonly kind = 'version_mismatch';
  readonly entity: string;
  readonly id: string;
  readonly currentVersion?: number;

  constructor(entity: string, id: string, currentVersion?: number) {
    super(`The ${entity} ${id} has changed since the version you sent; read it again and retry.`);
    this.entity = entity;
    this.id = id;
    this.currentVersion = currentVersion;
  }
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

export class PayloadTooLargeError extends DomainError {
  readonly kind = 'too_large';
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super(`The request body exceeds the limit of ${limitBytes} bytes.`);
    this.limitBytes = limitBytes;
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly kind = 'unsupported_media_type';
}

export class TooManyRequestsError extends DomainError {
  readonly kind = 'too_many_requests';
}

/** The capability exists, but this deployment has no adapter for it (yet). */
export class NotAvailableError extends DomainError {
  readonly kind = 'not_available';
}

/** The Idempotency-Key is being processed by another request right now. */
export class IdempotencyInProgressError extends DomainError {
  readonly kind = 'idempotency_in_progress';
}

/**
 * The identity belongs to a person who was erased (GDPR): creating it again needs an admin's
 * explicit `allowSuppressed`. Names the fields, never the values.
 */
export class SuppressedIdentityError extends DomainError {
  readonly kind = 'suppressed';
  readonly paths: string[];

  constructor(paths: string[]) {
    super(
      'This email, phone or external id belongs to a person who asked to be erased; an admin may create them again with allowSuppressed=true.',
    );
    this.paths = paths;
  }
}
