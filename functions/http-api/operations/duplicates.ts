import * as z from 'zod';
import { DUPLICATE_STATUSES } from '../../../shared/domain/dedup/suggestions.ts';
import { IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';
import { ContactView } from './contacts.ts';

const DuplicateView = z
  .object({
    id: z.string(),
    contactIds: z.tuple([z.string(), z.string()]),
    score: z.number().min(0).max(1),
    reasons: z.array(z.string()),
    status: z.enum(DUPLICATE_STATUSES),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    dismissedAt: z.iso.datetime().optional(),
    dismissedBy: z.string().optional(),
  })
  .meta({ id: 'Duplicate' });

const AuditReport = z
  .object({
    contacts: z.number().int(),
    candidatePairs: z.number().int(),
    matchingPairs: z.number().int(),
    written: z.number().int(),
    reindexed: z.number().int(),
    scanMs: z.number(),
    matchMs: z.number(),
    writeMs: z.number(),
  })
  .meta({ id: 'DedupAuditReport' });

/** The public view of a suggestion: its bookkeeping (versions, fingerprints) stays inside. */
function view(pair: z.input<typeof DuplicateView> & Record<string, unknown>) {
  const { contactVersions: _v, fingerprints: _f, dismissedFingerprints: _d, ...rest } = pair;
  return rest;
}

export const duplicateOperations = {
  listDuplicates: operation({
    tag: 'Duplicates',
    summary: 'List duplicate suggestions, best score first',
    description: 'Each names two contacts, a score from 0 to 1 and the reasons. Merge with `POST /v1/contacts/{id}/merge`.',
    query: PageQuery.extend({ status: z.enum(['open', 'dismissed']).default('open') }),
    responses: { 200: { description: 'A page of suggestions', schema: pageOf(DuplicateView) } },
    async handle({ query }, { duplicates }) {
      const page = await duplicates.list(query.status, query);
      return { body: { results: page.results.map((pair) => view(pair as never)), nextCursor: page.nextCursor } };
    },
  }),

  getDuplicate: operation({
    tag: 'Duplicates',
    summary: 'Read a duplicate suggestion',
    params: IdParams,
    responses: { 200: { description: 'The suggestion', schema: DuplicateView } },
    async handle({ params }, { duplicates }) {
      const pair = await duplicates.get(params.id);
      return { body: view(pair as never), version: pair.version, aboutContacts: pair.contactIds };
    },
  }),

  dismissDuplicate: operation({
    tag: 'Duplicates',
    summary: 'Dismiss a suggestion: these two are different people',
    description:
      'The pair is not suggested again unless the name, an email, a phone, the date of birth, the company or the ' +
      'address of one of them changes.',
    params: IdParams,
    idempotent: true,
    responses: { 200: { description: 'The dismissed suggestion', schema: DuplicateView } },
    async handle({ params, principal }, { duplicates }) {
      const pair = await duplicates.dismiss(params.id, principal.id);
      return { body: view(pair as never), version: pair.version };
    },
  }),

  auditDuplicates: operation({
    tag: 'Duplicates',
    summary: 'Run the duplicate audit over the whole base now',
    description: 'The same pass the daily schedule runs: finds pairs per-change matching missed and withdraws stale ones.',
    responses: { 200: { description: 'What the audit did', schema: AuditReport } },
    async handle(_request, { duplicates }) {
      return { body: await duplicates.audit() };
    },
  }),

  mergeContacts: operation({
    tag: 'Contacts',
    summary: 'Merge another contact into this one',
    description:
      'The contact in the path survives: each field takes the newest non-empty value, emails, phones and tags are ' +
      'united, and every activity, relationship, task, membership, claim and history entry of `sourceId` moves to it. ' +
      '`sourceId` remains as a tombstone whose reads answer the survivor. Repeating a merge answers the same survivor.',
    params: IdParams,
    body: z.strictObject({ sourceId: z.string().min(1).max(256) }),
    idempotent: true,
    responses: {
      200: { description: 'The survivor', schema: ContactView },
      409: { description: 'One of them was merged elsewhere, or is being merged' },
    },
    async handle({ params, body, principal }, { merges }) {
      const survivor = await merges.merge(params.id, body.sourceId, principal.id);
      return { body: survivor, version: survivor.version, aboutContacts: [survivor.id, body.sourceId] };
    },
  }),
};
