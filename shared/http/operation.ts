import type * as z from 'zod';
import type { Principal } from './principal.ts';

export interface OperationRequest<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  principal: Principal;
  requestId: string;
  /** The externally visible base URL, e.g. `https://api.example.com`. */
  baseUrl: string;
}

export interface OperationResult {
  status?: number;
  /** Serialized as JSON unless `raw` is set. */
  body?: unknown;
  /** A body sent as is, with `contentType`. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Becomes the ETag. */
  version?: number;
  /** Becomes the Location header (relative to the API). */
  location?: string;
  /**
   * The contacts whose data the body carries. A stored idempotent response is filed under each,
   * so erasing the person deletes it too. Set it on every idempotent operation that answers a person.
   */
  aboutContacts?: readonly string[];
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
}

/**
 * One operation of the API: its request schemas (which validate requests and generate the
 * OpenAPI document) and what it does. Handlers stay a sentence: parse → domain → result.
 */
export interface Operation<S, P = unknown, Q = unknown, B = unknown> {
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Honour `Idempotency-Key` (POST operations that create or change something). */
  idempotent?: boolean;
  /** Overrides LIMITS.maxBodyBytes for this operation. */
  maxBodyBytes?: number;
  responses: Record<number, ResponseSpec>;
  handle(request: OperationRequest<P, Q, B>, services: S): Promise<OperationResult>;
}

/** Identity function that lets TypeScript infer P, Q and B from the schemas. */
export function defineOperation<S>() {
  return <P = undefined, Q = undefined, B = undefined>(operation: Operation<S, P, Q, B>): Operation<S, P, Q, B> => operation;
}

// The registry is heterogeneous; each entry was type-checked where it was defined.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation<S> = Operation<S, any, any, any>;
export type OperationRegistry<S> = Record<string, AnyOperation<S>>;
