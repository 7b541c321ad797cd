import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LIMITS } from '../../shared/domain/limits.ts';
import { lambdaOf, type KithFunction } from './functions.ts';
import type { StackTopology } from './stack-topology.ts';
import type { StageSettings } from './stage.ts';

/** What API Gateway records per request: who and what, never a header or a body. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  principalId: '$context.authorizer.principalId',
};

export interface KithApiProps {
  topology: StackTopology;
  functions: ReadonlyMap<string, KithFunction>;
  stage: StageSettings;
}

/**
 * The HTTP API, generated from the topology's routes: one Lambda integration per function,
 * ONE Lambda authorizer for every non-public route (API keys and Cognito access tokens, simple
 * responses, cached per Authorization header), and `$default` to the fallback function, which
 * answers unknown paths and methods with problem+json 404/405. Each route's permission is
 * enforced by the function behind it.
 */
export class KithApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly url: string;

  constructor(scope: Construct, id: string, props: KithApiProps) {
    super(scope, id);
    const { topology, functions } = props;

    this.httpApi = new HttpApi(this, 'Http', {
      description: 'Kith HTTP API',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.stage.logRetention,
      removalPolicy: props.stage.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.stage.apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = this.stage.url;

    const authorizer = new HttpLambdaAuthorizer('Authorizer', lambdaOf(functions, topology.gateway.authorizer), {
      authorizerName: 'kith',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(LIMITS.authorizerResultCacheSeconds),
    });

    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationOf = (name: string) => {
      let integration = integrations.get(name);
      if (!integration) {
        // One invoke permission per function for the whole API, not one per route: a function
        // behind many routes would otherwise outgrow Lambda's 20 KB resource policy.
        integration = new HttpLambdaIntegration(`Integration-${name}`, lambdaOf(functions, name), {
          scopePermissionToRoute: false,
        });
        integrations.set(name, integration);
      }
      return integration;
    };

    for (const route of topology.routes) {
      const isPublic = route.permission === 'public';
      const httpRoute = this.addRoute(
        `Route-${route.operationId}`,
        HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integrationOf(route.function),
        isPublic ? new HttpNoneAuthorizer() : authorizer,
      );
      if (isPublic) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is declared public in infra/topology.ts; every other route goes through the authorizer.`,
        });
      }
    }

    const fallback = this.addRoute(
      'Route-default',
      HttpRouteKey.DEFAULT,
      integrationOf(topology.gateway.fallback),
      new HttpNoneAuthorizer(),
    );
    Validations.of(fallback).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        '$default only reaches the fallback function, which answers 404/405 problem+json for paths and methods no route declares and touches no data.',
    });
  }

  private addRoute(
    id: string,
    routeKey: HttpRouteKey,
    integration: HttpLambdaIntegration,
    authorizer: IHttpRouteAuthorizer,
  ): HttpRoute {
    return new HttpRoute(this, id, { httpApi: this.httpApi, routeKey, integration, authorizer });
  }
}
