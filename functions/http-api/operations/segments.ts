import * as z from 'zod';
import { SegmentInput, SegmentPatch } from '../../../shared/domain/segment.ts';
import { LIMITS } from '../../../shared/domain/limits.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { EntityMeta, IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';
import { SearchResultView } from './search.ts';

const SegmentView = z
  .object({ ...EntityMeta, name: z.string(), description: z.string().optional(), filter: z.unknown() })
  .meta({ id: 'Segment' });
const segmentResponse = { description: 'The segment', schema: SegmentView };

const SegmentContactsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(LIMITS.maxSearchPageSize).default(LIMITS.defaultPageSize),
  cursor: z.string().max(4096).optional(),
  sort: z
    .string()
    .regex(/^-?[A-Za-z][A-Za-z0-9_.]{0,199}$/, 'must be a field name, `-` first for descending')
    .optional()
    .meta({ description: 'e.g. `lastName` or `-updatedAt`; default `-createdAt`' }),
});

export const segmentOperations = {
  createSegment: operation({
    tag: 'Segments',
    summary: 'Save a filter as a segment',
    description: 'The filter is checked against the current fields (422 naming the path). Workflows and exports reuse it.',
    body: SegmentInput,
    idempotent: true,
    responses: { 201: segmentResponse },
    async handle({ body, principal }, { segments }) {
      const segment = await segments.create(body, principal.id);
      return { status: 201, body: segment, version: segment.version, location: `/v1/segments/${segment.id}` };
    },
  }),

  listSegments: operation({
    tag: 'Segments',
    summary: 'List segments, newest first',
    query: PageQuery,
    responses: { 200: { description: 'A page of segments', schema: pageOf(SegmentView) } },
    async handle({ query }, { segments }) {
      return { body: await segments.list(query) };
    },
  }),

  getSegment: operation({
    tag: 'Segments',
    summary: 'Read a segment',
    params: IdParams,
    responses: { 200: segmentResponse },
    async handle({ params }, { segments }) {
      const segment = await segments.get(params.id);
      return { body: segment, version: segment.version };
    },
  }),

  updateSegment: operation({
    tag: 'Segments',
    summary: 'Change a segment’s name, description or filter',
    description: '`description: null` removes it. Send `If-Match` to update only that version.',
    params: IdParams,
    body: SegmentPatch,
    responses: { 200: segmentResponse, 412: { description: 'If-Match names an older version' } },
    async handle({ params, body, headers, principal }, { segments }) {
      const segment = await segments.update(params.id, body, principal.id, ifMatchVersion(headers, 'segment', params.id));
      return { body: segment, version: segment.version };
    },
  }),

  deleteSegment: operation({
    tag: 'Segments',
    summary: 'Delete a segment',
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, 412: { description: 'If-Match names an older version' } },
    async handle({ params, headers }, { segments }) {
      await segments.delete(params.id, ifMatchVersion(headers, 'segment', params.id));
      return { status: 204 };
    },
  }),

  listSegmentContacts: operation({
    tag: 'Segments',
    summary: 'The contacts of a segment, with their total count',
    params: IdParams,
    query: SegmentContactsQuery,
    responses: { 200: { description: 'A page of the segment’s contacts', schema: SearchResultView } },
    async handle({ params, query }, { segments }) {
      const sort = query.sort
        ? [{ field: query.sort.replace(/^-/, ''), order: query.sort.startsWith('-') ? ('desc' as const) : ('asc' as const) }]
        : undefined;
      return { body: await segments.contacts(params.id, { limit: query.limit, cursor: query.cursor, sort }) };
    },
  }),
};
