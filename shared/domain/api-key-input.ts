import * as z from 'zod';
import { ROLES } from './permissions.ts';
import { LIMITS } from './limits.ts';

/**
 * What a caller sends to create an API key. Apart from shared/domain/api-keys.ts so that the
 * authorizer, which only checks secrets, does not bundle zod.
 */
export const ApiKeyInput = z.strictObject({
  name: z.string().trim().min(1).max(LIMITS.maxNameLength),
  role: z.enum(ROLES),
});
export type ApiKeyInput = z.output<typeof ApiKeyInput>;
