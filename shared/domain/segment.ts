import * as z from 'zod';
import { LIMITS } from './limits.ts';
import { FilterSchema, type Filter } from './filter.ts';

/** A saved filter: search, workflows (`segment_entered`) and exports select contacts by it. */
export const SegmentInput = z.strictObject({
  name: z.string().trim().min(1).max(LIMITS.maxSegmentNameLength),
  description: z.string().max(LIMITS.maxTextLength).optional(),
  filter: FilterSchema,
});
export type SegmentInput = z.output<typeof SegmentInput>;

/** What PATCH may change; `null` removes the description. */
export const SegmentPatch = z.strictObject({
  name: z.string().trim().min(1).max(LIMITS.maxSegmentNameLength).optional(),
  description: z.string().max(LIMITS.maxTextLength).nullable().optional(),
  filter: FilterSchema.optional(),
});
export type SegmentPatch = z.output<typeof SegmentPatch>;

export interface Segment {
  id: string;
  name: string;
  description?: string;
  filter: Filter;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy?: string;
  updatedBy?: string;
}

export function patchSegment(current: Segment, patch: SegmentPatch): SegmentInput {
  const description = patch.description === null ? undefined : (patch.description ?? current.description);
  return {
    name: patch.name ?? current.name,
    ...(description !== undefined ? { description } : {}),
    filter: patch.filter ?? current.filter,
  };
}
