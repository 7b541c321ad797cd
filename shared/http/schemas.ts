import * as z from 'zod';
import { LIMITS } from '../domain/limits.ts';

/** `?limit=&cursor=` of every list endpoint. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(LIMITS.defaultPageSize),
  cursor: z.string().max(4096).optional(),
});

export const ListQuery = PageQuery.extend({
  status: z.enum(['active', 'archived']).default('active'),
});

/** Any id-shaped path parameter; unknown ids are 404s from the store, not 422s. */
export const IdParams = z.object({ id: z.string().min(1).max(256) });

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ results: z.array(item), nextCursor: z.string().nullable() });
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    existingId: z.string().optional(),
  })
  .meta({ id: 'Problem' });

export const EntityMeta = {
  id: z.string(),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string().optional(),
  updatedBy: z.string().optional(),
};
