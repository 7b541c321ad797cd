import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { ForbiddenError, UnauthenticatedError } from '../domain/errors.ts';
import { isApiKeySecret } from '../domain/api-keys.ts';
import { ROLES, isRole, roleRank, type Role } from '../domain/permissions.ts';
import type { ApiKeyRepository } from '../store/api-keys.ts';
import type { Principal } from './principal.ts';

export interface CognitoSettings {
  userPoolId: string;
  clientId: string;
}

export interface Authenticator {
  /** Who the Authorization header names; throws Unauthenticated (401) or Forbidden (403). */
  authenticate(authorization: string | undefined): Promise<Principal>;
}

const MISSING = 'Send an API key or a token as "Authorization: Bearer <token>".';
const INVALID = 'The API key or token is not valid, has expired or was revoked.';

/**
 * One authenticator for both runtimes: API keys (`kith_…`, looked up by their hash) and, when
 * a user pool is configured, Cognito access tokens whose groups are the roles.
 */
export function createAuthenticator(deps: { apiKeys: ApiKeyRepository; cognito?: CognitoSettings }): Authenticator {
  const jwtVerifier = deps.cognito
    ? CognitoJwtVerifier.create({ userPoolId: deps.cognito.userPoolId, clientId: deps.cognito.clientId, tokenUse: 'access' })
    : undefined;

  async function fromApiKey(secret: string): Promise<Principal> {
    if (!isApiKeySecret(secret)) throw new UnauthenticatedError(INVALID);
    const key = await deps.apiKeys.findBySecret(secret);
    if (!key || key.revokedAt) throw new UnauthenticatedError(INVALID);
    await deps.apiKeys.touch(secret, key);
    return { id: `key:${key.id}`, role: key.role, kind: 'api_key', name: key.name };
  }

  async function fromJwt(token: string): Promise<Principal> {
    if (!jwtVerifier) throw new UnauthenticatedError(INVALID);
    let payload: Record<string, unknown>;
    try {
      payload = (await jwtVerifier.verify(token)) as unknown as Record<string, unknown>;
    } catch {
      throw new UnauthenticatedError(INVALID);
    }
    const groups = Array.isArray(payload['cognito:groups']) ? (payload['cognito:groups'] as unknown[]) : [];
    const role = highestRole(groups);
    if (!role) throw new ForbiddenError(`The user is in none of the groups ${ROLES.join(', ')}.`);
    return { id: `user:${String(payload.sub)}`, role, kind: 'user', name: String(payload.username ?? payload.sub) };
  }

  return {
    async authenticate(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) throw new UnauthenticatedError(MISSING);
      const token = match[1]!;
      return token.startsWith('kith_') ? fromApiKey(token) : fromJwt(token);
    },
  };
}

function highestRole(groups: unknown[]): Role | undefined {
  const roles = groups.filter(isRole);
  return roles.sort((a, b) => roleRank(b) - roleRank(a))[0];
}
