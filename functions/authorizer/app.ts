import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { createAuthenticator, type CognitoSettings } from '../../shared/http/auth.ts';
import { toAuthorizerContext, type AuthorizerContext } from '../../shared/http/principal.ts';
import { ForbiddenError, UnauthenticatedError } from '../../shared/domain/errors.ts';
import type { AuthenticationServices } from '../../shared/app/authentication.ts';

export type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/** API Gateway's answer for "who are you?": the string `Unauthorized` makes it a 401. */
export const UNAUTHORIZED = 'Unauthorized';

export function cognitoFromEnv(env: NodeJS.ProcessEnv = process.env): CognitoSettings | undefined {
  return env.COGNITO_USER_POOL_ID && env.COGNITO_CLIENT_ID
    ? { userPoolId: env.COGNITO_USER_POOL_ID, clientId: env.COGNITO_CLIENT_ID }
    : undefined;
}

/**
 * The Lambda authorizer of every protected route (HTTP API, payload 2.0, simple responses).
 * It only authenticates; each route's permission is checked by the function behind it.
 */
export function create(services: AuthenticationServices, cognito: CognitoSettings | undefined = cognitoFromEnv()) {
  const logger = new Logger({ serviceName: 'kith', persistentKeys: { function: 'authorizer' } });
  const authenticator = createAuthenticator({ apiKeys: services.apiKeys, cognito });

  return middy<APIGatewayRequestAuthorizerEventV2, AuthorizerResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const header = event.headers?.authorization ?? event.headers?.Authorization ?? event.identitySource?.[0];
      try {
        const principal = await authenticator.authenticate(header);
        return { isAuthorized: true, context: toAuthorizerContext(principal) };
      } catch (error) {
        if (error instanceof UnauthenticatedError) {
          logger.info('rejected credentials', { reason: error.message });
          throw new Error(UNAUTHORIZED);
        }
        if (error instanceof ForbiddenError) {
          logger.info('authenticated without a role', { reason: error.message });
          return { isAuthorized: false, context: { principalId: '', role: 'viewer', kind: 'user', name: '' } };
        }
        throw error;
      }
    });
}
