import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routes } from '../../infra/topology.ts';
import { createDispatcher, errorResponse } from '../../shared/http/dispatch.ts';
import type { HttpApiServices } from './services.ts';
import { operations } from './operations/index.ts';

/** The HTTP API function: Powertools logging around the framework-free dispatcher. */
export function create(services: HttpApiServices) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'http-api' } });
  const dispatch = createDispatcher({ routes, operations, services, idempotency: services.idempotency, logger });
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      // Last line of defence: whatever escapes the dispatcher is still a problem+json 500.
      onError: async (request) => {
        request.response = errorResponse(request.error, request.event.requestContext?.requestId ?? 'unknown', logger);
      },
    })
    .handler(dispatch);
}
