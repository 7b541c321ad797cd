import * as z from 'zod';
import { RELATIONSHIP_TYPES, RelationshipInput } from '../../../shared/domain/relationships.ts';
import { LIMITS } from '../../../shared/domain/limits.ts';
import { ifMatchVersion } from '../../../shared/http/request.ts';
import { EntityMeta, IdParams, PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';

const { id: _id, ...meta } = EntityMeta;
export const RelationshipView = z
  .object({
    ...meta,
    contactId: z.string(),
    otherId: z.string(),
    type: z.enum(RELATIONSHIP_TYPES),
    typeKey: z.string().meta({ description: 'The type, or `custom:<label>`: names the tie in its path' }),
    label: z.string().optional(),
    inverseLabel: z.string().optional(),
    strength: z.number().min(0).max(1),
    notes: z.string().optional(),
    since: z.string().optional(),
  })
  .meta({ id: 'Relationship' });

const TieParams = IdParams.extend({ type: z.string().min(1).max(80), otherId: z.string().min(1).max(256) });
const tieResponse = { description: 'The relationship, from the contact in the path', schema: RelationshipView };

const IntroductionsView = z
  .object({
    results: z.array(
      z.object({
        contactIds: z.array(z.string()),
        hops: z.number().int(),
        strength: z.number().meta({ description: 'Product of the tie strengths along the path' }),
        ties: z.array(z.object({ from: z.string(), to: z.string(), typeKey: z.string(), strength: z.number() })),
        contacts: z.array(z.object({ id: z.string(), name: z.string() })),
      }),
    ),
    complete: z.boolean().meta({ description: 'False when a search limit was reached and a better path may exist' }),
  })
  .meta({ id: 'Introductions' });

const location = (r: { contactId: string; typeKey: string; otherId: string }) =>
  `/v1/contacts/${r.contactId}/relationships/${encodeURIComponent(r.typeKey)}/${r.otherId}`;

export const relationshipOperations = {
  connectContacts: operation({
    tag: 'Relationships',
    summary: 'Tie a contact to another (or update that tie)',
    description:
      'Writes both ends in one transaction: `reports_to` here is `manages` there, `introduced_by` is `introduced`, ' +
      '`custom` ties carry a `label` (and an `inverseLabel` when the other end differs, e.g. mentor/mentee). ' +
      'Posting an existing tie again updates it (200); a new one is a 201.',
    params: IdParams,
    body: RelationshipInput,
    idempotent: true,
    responses: { 201: tieResponse, 200: tieResponse },
    async handle({ params, body, principal }, { relationships }) {
      const { relationship, created } = await relationships.connect(params.id, body, principal.id);
      return {
        status: created ? 201 : 200,
        body: relationship,
        version: relationship.version,
        location: location(relationship),
        aboutContacts: [relationship.contactId, relationship.otherId],
      };
    },
  }),

  listRelationships: operation({
    tag: 'Relationships',
    summary: "A contact's relationships",
    params: IdParams,
    query: PageQuery.extend({ type: z.string().max(80).optional().meta({ description: 'Only ties of this type key' }) }),
    responses: { 200: { description: 'A page of relationships', schema: pageOf(RelationshipView) } },
    async handle({ params, query }, { relationships }) {
      return { body: await relationships.list(params.id, query, query.type) };
    },
  }),

  getRelationship: operation({
    tag: 'Relationships',
    summary: 'Read one relationship',
    params: TieParams,
    responses: { 200: tieResponse },
    async handle({ params }, { relationships }) {
      const relationship = await relationships.get(params.id, params.type, params.otherId);
      return { body: relationship, version: relationship.version };
    },
  }),

  disconnectContacts: operation({
    tag: 'Relationships',
    summary: 'Remove a relationship (both ends)',
    params: TieParams,
    responses: { 204: { description: 'Removed' } },
    async handle({ params, headers }, { relationships }) {
      await relationships.disconnect(
        params.id,
        params.type,
        params.otherId,
        ifMatchVersion(headers, 'relationship', params.otherId),
      );
      return { status: 204 };
    },
  }),

  findIntroductions: operation({
    tag: 'Relationships',
    summary: 'Warm introduction paths to another contact',
    description:
      `Paths of up to ${LIMITS.maxIntroductionHops} ties from this contact to \`to\`, best first by the product of ` +
      'their strengths (the chance every link in the chain comes through). Bounded: a handful of edge queries, never a scan.',
    params: IdParams,
    query: z.object({ to: z.string().min(1).max(256) }),
    responses: { 200: { description: 'The best paths', schema: IntroductionsView } },
    async handle({ params, query }, { relationships }) {
      return { body: await relationships.introductions(params.id, query.to) };
    },
  }),
};
