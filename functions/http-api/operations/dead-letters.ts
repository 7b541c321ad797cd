import * as z from 'zod';
import { LIMITS } from '../../../shared/domain/limits.ts';
import { PageQuery, pageOf } from '../../../shared/http/schemas.ts';
import { operation } from './define.ts';

const DeadLetterView = z
  .object({
    id: z.string(),
    target: z.object({
      kind: z.enum(['subscription', 'schedule']),
      name: z.string().meta({ description: 'The subscription or schedule in infra/topology.ts' }),
      function: z.string(),
    }),
    payload: z
      .record(z.string(), z.unknown())
      .meta({ description: 'The event (or scheduled invocation) as the function received it' }),
    error: z.object({ name: z.string(), message: z.string() }),
    attempts: z.number().int(),
    failedAt: z.iso.datetime(),
  })
  .meta({ id: 'DeadLetter' });

const RedriveRequest = z.strictObject({
  ids: z
    .array(z.string().max(64))
    .min(1)
    .max(LIMITS.maxRedrivePerRequest)
    .optional()
    .meta({ description: `Letters to redrive; without it, the oldest ${LIMITS.maxRedrivePerRequest}` }),
});

const RedriveReport = z
  .object({
    redriven: z.array(z.string()),
    failed: z.array(z.object({ id: z.string(), error: z.string() })),
    notFound: z.array(z.string()),
  })
  .meta({ id: 'RedriveReport' });

export const deadLetterOperations = {
  listDeadLetters: operation({
    tag: 'Pipeline',
    summary: 'List failed deliveries (dead letters), newest first',
    description: 'Events and scheduled invocations whose function failed on every attempt.',
    query: PageQuery,
    responses: { 200: { description: 'A page of dead letters', schema: pageOf(DeadLetterView) } },
    async handle({ query }, { deadLetters }) {
      return { body: await deadLetters.list(query) };
    },
  }),

  redriveDeadLetters: operation({
    tag: 'Pipeline',
    summary: 'Deliver dead letters again',
    description:
      'Each letter goes to its own subscription or schedule only. Delivered letters are removed; ' +
      'those that fail again stay with the new error. Consumers are idempotent, so redriving twice is safe.',
    body: RedriveRequest,
    responses: { 200: { description: 'What was redriven', schema: RedriveReport } },
    async handle({ body }, { deadLetters }) {
      return { body: await deadLetters.redrive(body.ids) };
    },
  }),
};
