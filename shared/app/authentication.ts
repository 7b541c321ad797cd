import { systemClock } from '../domain/clock.ts';
import { ApiKeyRepository } from '../store/api-keys.ts';
import { createStore, storeConfigFromEnv } from '../store/client.ts';
import type { Services } from './services.ts';

/**
 * The part of Services the authorizer uses. Built on its own so the authorizer's bundle leaves
 * out the CRM's domain (contacts, companies, phone metadata): it runs before every cold request.
 */
export type AuthenticationServices = Pick<Services, 'apiKeys'>;

export function authenticationServicesFromEnv(env: NodeJS.ProcessEnv = process.env): AuthenticationServices {
  return { apiKeys: new ApiKeyRepository(createStore(storeConfigFromEnv(env)), systemClock) };
}
