import * as z from 'zod';
import { generateApiKeySecret } from '../../../shared/domain/api-keys.ts';
import { ApiKeyInput } from '../../../shared/domain/api-key-input.ts';
import { ForbiddenError } from '../../../shared/domain/errors.ts';
import { canGrant } from '../../../shared/domain/permissions.ts';
import { IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';

const ApiKeyView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.string(),
    hint: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    lastUsedAt: z.string().optional(),
    revokedAt: z.string().optional(),
  })
  .meta({ id: 'ApiKey' });

export const apiKeyOperations = {
  createApiKey: operation({
    tag: 'API keys',
    summary: 'Create an API key',
    description: 'The secret is in this response only: Kith stores its hash, never the key.',
    body: ApiKeyInput,
    idempotent: true,
    responses: { 201: { description: 'The key, with its secret', schema: ApiKeyView.extend({ secret: z.string() }) } },
    async handle({ body, principal }, { apiKeys }) {
      if (!canGrant(principal.role, body.role)) throw new ForbiddenError(`A ${principal.role} cannot create ${body.role} keys.`);
      const secret = generateApiKeySecret();
      const key = await apiKeys.register(secret, body, principal.id);
      return {
        status: 201,
        body: { ...key, secret },
        location: `/v1/api-keys/${key.id}`,
        headers: { 'cache-control': 'no-store' },
      };
    },
  }),

  listApiKeys: operation({
    tag: 'API keys',
    summary: 'List API keys (without secrets)',
    query: PageQuery,
    responses: { 200: { description: 'A page of keys', schema: pageOf(ApiKeyView) } },
    async handle({ query }, { apiKeys }) {
      return { body: await apiKeys.list(query) };
    },
  }),

  revokeApiKey: operation({
    tag: 'API keys',
    summary: 'Revoke an API key',
    description: 'Requests with the key fail from then on (API Gateway may keep a verdict for up to its authorizer cache TTL).',
    params: IdParams,
    responses: { 204: { description: 'Revoked' } },
    async handle({ params }, { apiKeys }) {
      await apiKeys.revoke(params.id);
      return { status: 204 };
    },
  }),
};
