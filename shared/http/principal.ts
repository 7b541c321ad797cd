import type { Role } from '../domain/permissions.ts';

/** Who is calling: an API key, a signed-in user, or nobody (public routes). */
export interface Principal {
  /** Stable id written into `createdBy`/`updatedBy`, e.g. `key:01J…` or `user:<sub>`. */
  id: string;
  role: Role;
  kind: 'api_key' | 'user';
  name?: string;
}

/** The context the authorizer hands to API Gateway, which passes it on to the function. */
export interface AuthorizerContext {
  principalId: string;
  role: Role;
  kind: Principal['kind'];
  name: string;
}

export function toAuthorizerContext(principal: Principal): AuthorizerContext {
  return { principalId: principal.id, role: principal.role, kind: principal.kind, name: principal.name ?? '' };
}
