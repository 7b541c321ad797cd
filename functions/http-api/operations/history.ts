import * as z from 'zod';
import { IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import type { HistoryEntry } from '../../../shared/store/history.ts';
import type { Page } from '../../../shared/store/pages.ts';
import { operation } from './define.ts';

const FieldChangeView = z
  .object({
    field: z.string().meta({ description: 'A top-level field, or `customFields.<key>`' }),
    from: z.unknown().optional().meta({ description: 'Absent when the field was unset; `{ "truncated": true }` when too large' }),
    to: z.unknown().optional().meta({ description: 'Absent when the field was removed; `{ "truncated": true }` when too large' }),
  })
  .meta({ id: 'FieldChange' });

const HistoryEntryView = z
  .object({
    version: z.number().int().meta({ description: 'The version this change produced' }),
    event: z.string().meta({ description: 'What happened, e.g. `contact.updated` or `contact.archived`' }),
    actor: z.string(),
    occurredAt: z.iso.datetime(),
    changes: z.array(FieldChangeView),
    changesOmitted: z.array(z.string()).optional().meta({ description: 'Fields that changed but were too large to record' }),
  })
  .meta({ id: 'HistoryEntry' });

const historyResponse = { 200: { description: 'A page of history entries, newest first', schema: pageOf(HistoryEntryView) } };

/** An entry as clients see it: the entity and event id are implied by the URL and internal. */
function view(page: Page<HistoryEntry>) {
  return {
    results: page.results.map(({ version, event, actor, occurredAt, changes, changesOmitted }) => ({
      version,
      event,
      actor,
      occurredAt,
      changes,
      ...(changesOmitted ? { changesOmitted } : {}),
    })),
    nextCursor: page.nextCursor,
  };
}

export const historyOperations = {
  listContactHistory: operation({
    tag: 'Contacts',
    summary: "A contact's field history, newest first",
    description:
      'Who changed which field from what to what, one entry per version. Recorded from the change stream, ' +
      'so a change appears within moments of the write, not in the same request.',
    params: IdParams,
    query: PageQuery,
    responses: historyResponse,
    async handle({ params, query }, { history }) {
      return { body: view(await history.list('contact', params.id, query)) };
    },
  }),

  listCompanyHistory: operation({
    tag: 'Companies',
    summary: "A company's field history, newest first",
    params: IdParams,
    query: PageQuery,
    responses: historyResponse,
    async handle({ params, query }, { history }) {
      return { body: view(await history.list('company', params.id, query)) };
    },
  }),
};
