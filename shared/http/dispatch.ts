import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { routeKey, type RouteSpec } from '../../infra/topology.ts';
import { ForbiddenError, IdempotencyInProgressError, UnauthenticatedError, ValidationError } from '../domain/errors.ts';
import { can, isRole } from '../domain/permissions.ts';
import { LIMITS } from '../domain/limits.ts';
import { parseOrThrow } from '../domain/validation.ts';
import type { IdempotencyRepository, StoredResponse } from '../store/idempotency.ts';
import { RouteTable } from './routing.ts';
import { bodyText, etag, lowerCaseHeaders, parseJsonBody } from './request.ts';
import { problem, problemOf, problemResponse } from './problem.ts';
import type { OperationRegistry, OperationResult } from './operation.ts';
import type { AuthorizerContext, Principal } from './principal.ts';

export interface Dispatcher {
  (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2>;
}

export interface DispatcherDeps<S> {
  routes: readonly RouteSpec[];
  operations: OperationRegistry<S>;
  services: S;
  idempotency: IdempotencyRepository;
  logger: Logger;
}

const PUBLIC_PRINCIPAL: Principal = { id: 'public', role: 'viewer', kind: 'api_key' };

/**
 * The framework-free core of the HTTP function: route key → operation → permission →
 * validated input → idempotency → operation → response. Every failure becomes problem+json.
 */
export function createDispatcher<S>(deps: DispatcherDeps<S>): Dispatcher {
  const table = new RouteTable(deps.routes);
  const byKey = new Map(deps.routes.map((route) => [routeKey(route), route]));
  for (const route of deps.routes) {
    if (!deps.operations[route.operationId]) throw new Error(`No operation ${route.operationId} for ${routeKey(route)}`);
  }

  return async function dispatch(event) {
    const started = Date.now();
    const requestId = event.requestContext?.requestId ?? 'local';
    let route: RouteSpec | undefined;
    let params = event.pathParameters ?? {};
    let response: APIGatewayProxyStructuredResultV2;
    try {
      route = byKey.get(event.routeKey);
      if (!route) {
        // `$default` (or an unknown key): answer like a real router would, in problem+json.
        const match = table.match(event.requestContext.http.method, event.rawPath);
        if (match.kind === 'method_not_allowed') {
          return problemResponse(problem('method_not_allowed', `Use one of: ${match.allowed.join(', ')}.`), {
            allow: match.allowed.join(', '),
          });
        }
        if (match.kind === 'not_found')
          return problemResponse(problem('not_found', `No route ${event.requestContext.http.method} ${event.rawPath}.`));
        route = match.route;
        params = match.params;
      }
      response = await handle(route, params, event, requestId);
    } catch (error) {
      response = errorResponse(error, requestId, deps.logger);
    }
    deps.logger.info('request', {
      route: route ? routeKey(route) : event.routeKey,
      status: response.statusCode,
      durationMs: Date.now() - started,
      principal: principalOf(event)?.id,
    });
    return response;
  };

  async function handle(
    route: RouteSpec,
    rawParams: Record<string, string | undefined>,
    event: APIGatewayProxyEventV2,
    requestId: string,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const operation = deps.operations[route.operationId]!;
    const principal = authorize(route, event);
    const headers = lowerCaseHeaders(event.headers);
    const text = operation.body ? bodyText(event, operation.maxBodyBytes ?? LIMITS.maxBodyBytes) : undefined;
    const json = operation.body ? parseJsonBody(text, headers) : undefined;

    const params = operation.params ? parseOrThrow(operation.params, decodeParams(rawParams)) : undefined;
    const query = operation.query ? parseOrThrow(operation.query, event.queryStringParameters ?? {}, 'query.') : undefined;
    const body = operation.body ? parseOrThrow(operation.body, json ?? {}) : undefined;

    const run = async () => {
      const result = await operation.handle(
        { params, query, body, headers, principal, requestId, baseUrl: baseUrlOf(event) },
        deps.services,
      );
      return { response: toResponse(result), aboutContacts: result.aboutContacts ?? [] };
    };

    const idempotencyKey = headers['idempotency-key'];
    if (!operation.idempotent || idempotencyKey === undefined) return (await run()).response;
    return withIdempotency(principal, idempotencyKey, `${routeKey(route)}\n${event.rawPath}\n${text ?? ''}`, run, requestId);
  }

  async function withIdempotency(
    principal: Principal,
    key: string,
    fingerprint: string,
    run: () => Promise<{ response: APIGatewayProxyStructuredResultV2; aboutContacts: readonly string[] }>,
    requestId: string,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    if (key.length === 0 || key.length > LIMITS.maxIdempotencyKeyLength) {
      throw ValidationError.of('Idempotency-Key', `must be 1–${LIMITS.maxIdempotencyKeyLength} characters`);
    }
    const hash = createHash('sha256').update(fingerprint).digest('hex');
    const claim = await deps.idempotency.begin(principal.id, key, hash);
    if (claim.state === 'completed') return replayed(claim.response);
    if (claim.state === 'in_progress')
      throw new IdempotencyInProgressError('A request with this Idempotency-Key is still running; retry shortly.');
    if (claim.state === 'mismatch') {
      throw ValidationError.of('Idempotency-Key', 'was already used for a different request; use a new key for a new request');
    }
    let response: APIGatewayProxyStructuredResultV2;
    let aboutContacts: readonly string[] = [];
    try {
      ({ response, aboutContacts } = await run());
    } catch (error) {
      response = errorResponse(error, requestId, deps.logger);
    }
    if ((response.statusCode ?? 500) >= 500) await deps.idempotency.release(principal.id, key);
    else await deps.idempotency.complete(principal.id, key, stored(response), aboutContacts);
    return response;
  }
}

function authorize(route: RouteSpec, event: APIGatewayProxyEventV2): Principal {
  if (route.permission === 'public') return PUBLIC_PRINCIPAL;
  const principal = principalOf(event);
  if (!principal) throw new UnauthenticatedError('Send an API key or a token as "Authorization: Bearer <token>".');
  if (!can(principal.role, route.permission)) {
    throw new ForbiddenError(`The role ${principal.role} does not have the permission ${route.permission}.`);
  }
  return principal;
}

/** The principal the authorizer put into the request context (AWS and the local gateway alike). */
export function principalOf(event: APIGatewayProxyEventV2): Principal | undefined {
  const context = (event.requestContext as { authorizer?: { lambda?: Partial<AuthorizerContext> } }).authorizer?.lambda;
  if (!context?.principalId || !isRole(context.role)) return undefined;
  return { id: context.principalId, role: context.role, kind: context.kind ?? 'api_key', name: context.name || undefined };
}

function decodeParams(params: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

function baseUrlOf(event: APIGatewayProxyEventV2): string {
  const headers = lowerCaseHeaders(event.headers);
  const host = headers['x-forwarded-host'] ?? headers.host ?? event.requestContext.domainName;
  const proto = headers['x-forwarded-proto'] ?? 'https';
  return `${proto}://${host}`;
}

function toResponse(result: OperationResult): APIGatewayProxyStructuredResultV2 {
  const status = result.status ?? 200;
  const headers: Record<string, string> = { ...result.headers };
  if (result.version !== undefined) headers.etag = etag(result.version);
  if (result.location) headers.location = result.location;
  if (status === 204) return { statusCode: status, headers };
  if (result.raw !== undefined) {
    return {
      statusCode: status,
      headers: { 'content-type': result.contentType ?? 'text/plain; charset=utf-8', ...headers },
      body: result.raw,
    };
  }
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(result.body ?? null),
  };
}

function stored(response: APIGatewayProxyStructuredResultV2): StoredResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name] = String(value);
  return { statusCode: response.statusCode ?? 200, headers, body: response.body ?? '' };
}

function replayed(response: StoredResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.statusCode,
    headers: { ...response.headers, 'idempotent-replayed': 'true' },
    body: response.body || undefined,
  };
}

/** Known failures become their problem; anything else is logged and answered as a bare 500. */
export function errorResponse(error: unknown, requestId: string, logger: Logger): APIGatewayProxyStructuredResultV2 {
  const known = problemOf(error) ?? awsProblem(error);
  if (known) {
    const headers: Record<string, string> = known.status === 429 ? { 'retry-after': '1' } : {};
    return problemResponse({ ...known, instance: requestId }, headers);
  }
  logger.error('unhandled error', { error: error as Error, requestId });
  return problemResponse({
    ...problem('internal', 'Something went wrong on our side; the request id identifies it.'),
    instance: requestId,
  });
}

/** Failures of AWS calls that a client's input can cause, mapped instead of leaking as 500s. */
function awsProblem(error: unknown) {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'ValidationException' && /size has exceeded|Item size/i.test(error.message)) {
    return problem('too_large', 'The record would exceed the 400 KB DynamoDB item limit; store less in it.');
  }
  if (['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded'].includes(error.name)) {
    return problem('too_many_requests', 'The store is throttling requests; retry with backoff.');
  }
  return undefined;
}
