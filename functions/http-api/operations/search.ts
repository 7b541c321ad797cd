import * as z from 'zod';
import { SearchRequest } from '../../../shared/app/search.ts';
import { operation } from './define.ts';
import { ContactView } from './contacts.ts';

const FacetCountView = z.object({ value: z.string(), count: z.number().int() });

export const SearchResultView = z
  .object({
    results: z.array(ContactView),
    nextCursor: z.string().nullable(),
    total: z.number().int().meta({ description: 'Every match across all pages' }),
    facets: z
      .record(z.string(), z.array(FacetCountView))
      .optional()
      .meta({ description: 'Per requested facet field, its most frequent values over every match' }),
  })
  .meta({ id: 'ContactSearchResult' });

export const searchOperations = {
  searchContacts: operation({
    tag: 'Search',
    summary: 'Search contacts by text and filter, with counts and facets',
    description:
      'Free text matches names (prefix, typo- and accent-tolerant, any script), email fragments and phone digits in any ' +
      'format; exact names and addresses rank first. `filter` is the filter language (and/or/not; eq, neq, in, nin, gt, ' +
      'gte, lt, lte, between, exists, missing, contains, prefix; relative dates such as `now-90d`) over core fields and ' +
      '`customFields.<key>`. Only active contacts are found. Invalid filters are 422s naming the path, e.g. `filter.and[1].op`.',
    body: SearchRequest,
    responses: { 200: { description: 'A page of matching contacts', schema: SearchResultView } },
    async handle({ body }, { search }) {
      return { body: await search.search(body) };
    },
  }),

  reindexSearch: operation({
    tag: 'Search',
    summary: 'Rebuild the search index from the table',
    description:
      'Builds a new index from every active contact, swaps it in atomically and drops the old one. Changes made ' +
      'meanwhile go to the new index. Runs within the request: on very large tables, run it from `kith reindex` locally.',
    responses: {
      200: {
        description: 'What the rebuild did',
        schema: z.object({
          engine: z.enum(['opensearch', 'embedded']),
          written: z.number().int(),
          stale: z.number().int(),
          rejected: z.array(z.object({ id: z.string(), status: z.number().int(), reason: z.string() })),
          tookMs: z.number().int(),
        }),
      },
    },
    async handle(_request, { search }) {
      const report = await search.reindex();
      return { body: { engine: search.index.engine, ...report } };
    },
  }),
};
