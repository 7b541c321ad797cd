import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { routeKey, type FunctionName, type RouteSpec } from '../topology.ts';
import { RouteTable } from '../../shared/http/routing.ts';
import { problem, problemResponse } from '../../shared/http/problem.ts';
import type { AuthorizerContext } from '../../shared/http/principal.ts';
import { lambdaContext, type LocalHandler } from './lambda.ts';

/** API Gateway's own payload ceiling for HTTP APIs. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

type AuthorizerResult = { isAuthorized: boolean; context?: AuthorizerContext };

export interface GatewayOptions {
  routes: readonly RouteSpec[];
  /** The function that serves `$default` (unmatched paths and methods), as in the AWS stack. */
  defaultFunction: FunctionName;
  handlers: Partial<Record<FunctionName, LocalHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>>>;
  authorizer: LocalHandler<APIGatewayRequestAuthorizerEventV2, AuthorizerResult>;
  /** Like API Gateway's authorizer result cache, keyed by the Authorization header. */
  authorizerCacheMs: number;
  /** Called once per request with a one-line summary, e.g. for `npm start`'s console. */
  onRequest?: (line: string) => void;
}

/**
 * A small API Gateway (HTTP API, payload 2.0) over node:http: matches the topology's routes,
 * runs the same Lambda authorizer, builds the same event and sends back what the handler returns.
 */
export function createGateway(options: GatewayOptions): Server {
  const table = new RouteTable(options.routes);
  const authorizerCache = new Map<string, { until: number; context: AuthorizerContext }>();

  async function authorize(
    header: string | undefined,
    event: APIGatewayProxyEventV2,
  ): Promise<AuthorizerContext | APIGatewayProxyStructuredResultV2> {
    if (!header)
      return problemResponse(problem('unauthenticated', 'Send an API key or a token as "Authorization: Bearer <token>".'));
    const cached = authorizerCache.get(header);
    if (cached && cached.until > Date.now()) return cached.context;
    const authorizerEvent: APIGatewayRequestAuthorizerEventV2 = {
      version: '2.0',
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${event.requestContext.http.method}${event.rawPath}`,
      identitySource: [header],
      routeKey: event.routeKey,
      rawPath: event.rawPath,
      rawQueryString: event.rawQueryString,
      cookies: event.cookies ?? [],
      headers: event.headers,
      queryStringParameters: event.queryStringParameters ?? {},
      requestContext: event.requestContext as unknown as APIGatewayRequestAuthorizerEventV2['requestContext'],
      pathParameters: event.pathParameters ?? {},
      stageVariables: {},
    };
    let result: AuthorizerResult;
    try {
      result = await options.authorizer(authorizerEvent, lambdaContext('authorizer'));
    } catch (error) {
      if ((error as Error).message === 'Unauthorized') {
        return problemResponse(problem('unauthenticated', 'The API key or token is not valid, has expired or was revoked.'));
      }
      return problemResponse(problem('internal', 'The authorizer failed.'));
    }
    if (!result.isAuthorized || !result.context) return problemResponse(problem('forbidden', 'The caller has no role in Kith.'));
    if (options.authorizerCacheMs > 0)
      authorizerCache.set(header, { until: Date.now() + options.authorizerCacheMs, context: result.context });
    return result.context;
  }

  async function serve(req: IncomingMessage): Promise<APIGatewayProxyStructuredResultV2> {
    const body = await readBody(req);
    if (body === 'too_large')
      return problemResponse(problem('too_large', `API Gateway accepts at most ${GATEWAY_MAX_BODY_BYTES} bytes.`));
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const match = table.match(method, url.pathname);
    const route = match.kind === 'found' ? match.route : undefined;
    const event = toEvent(req, url, body, route, match.kind === 'found' ? match.params : undefined);

    if (route && route.permission !== 'public') {
      const verdict = await authorize(event.headers.authorization, event);
      if ('statusCode' in verdict) return verdict;
      (event.requestContext as unknown as { authorizer: unknown }).authorizer = { lambda: verdict };
    }
    const functionName = route?.function ?? options.defaultFunction;
    const handler = options.handlers[functionName];
    if (!handler) return problemResponse(problem('internal', `No local handler for ${functionName}.`));
    try {
      return await handler(event, lambdaContext(functionName));
    } catch {
      return problemResponse(problem('internal', 'The function failed.'));
    }
  }

  return createServer((req, res) => {
    const started = performance.now();
    serve(req)
      .catch(() => problemResponse(problem('internal', 'The local gateway failed.')))
      .then((result) => {
        send(res, result);
        options.onRequest?.(
          `${req.method} ${req.url} → ${result.statusCode ?? 200} (${(performance.now() - started).toFixed(1)} ms)`,
        );
      });
  });
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const TEXT_TYPES = /^(text\/|application\/(json|[a-z.+-]+\+json|xml|x-www-form-urlencoded|javascript)|$)/i;

function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  route: RouteSpec | undefined,
  params: Record<string, string> | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const cookies = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  const key = route ? routeKey(route) : '$default';
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(params && Object.keys(params).length > 0 ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}
