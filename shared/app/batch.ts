import * as z from 'zod';
import { LIMITS } from '../domain/limits.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../domain/errors.ts';
import { can } from '../domain/permissions.ts';
import { normalizeEmail } from '../domain/normalize.ts';
import type { Contact } from '../domain/contact.ts';
import { problem as problemFor, problemOf, type Problem } from '../http/problem.ts';
import type { Principal } from '../http/principal.ts';
import type { Services } from './services.ts';

const ContactBody = z.record(z.string(), z.unknown());
const Version = z.number().int().positive();

export const BatchOperation = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('create'), contact: ContactBody }),
  z.strictObject({ op: z.literal('update'), id: z.string().min(1).max(256), patch: ContactBody, ifMatch: Version.optional() }),
  z.strictObject({
    op: z.literal('upsert'),
    matchOn: z
      .string()
      .regex(/^(email|externalIds\.[a-z][a-z0-9_]{0,31})$/, 'must be "email" or "externalIds.<system>"')
      .meta({ description: 'The unique value that finds the existing contact: its primary email or one external id' }),
    contact: ContactBody,
  }),
  z.strictObject({ op: z.literal('delete'), id: z.string().min(1).max(256), ifMatch: Version.optional() }),
]);
export type BatchOperation = z.output<typeof BatchOperation>;

export const BatchRequest = z.strictObject({
  operations: z.array(BatchOperation).min(1).max(LIMITS.maxBatchOperations),
});

export const BatchItemResult = z.object({
  index: z.number().int(),
  op: z.enum(['create', 'update', 'upsert', 'delete']),
  status: z.number().int(),
  id: z.string().optional(),
  contact: z.unknown().optional(),
  error: z.unknown().optional(),
});
export type BatchItemResult = z.output<typeof BatchItemResult>;

export const BatchResponse = z.object({
  succeeded: z.number().int(),
  failed: z.number().int(),
  results: z.array(BatchItemResult),
});

/** Operations on the same contact run in order; independent ones run this many at a time. */
const BATCH_CONCURRENCY = 8;

/**
 * Runs every operation on its own: one failing never stops the others, and each result says
 * what happened to it, with the same problem document a single request would have had.
 */
export async function runBatch(request: z.output<typeof BatchRequest>, principal: Principal, services: Services) {
  const results: BatchItemResult[] = new Array(request.operations.length);
  const chains = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();

  for (const [index, op] of request.operations.entries()) {
    const target = targetOf(op, index);
    const previous = chains.get(target) ?? Promise.resolve();
    const task = previous.then(async () => {
      results[index] = await runOne(op, index, principal, services);
    });
    chains.set(target, task);
    running.add(task);
    void task.finally(() => running.delete(task));
    if (running.size >= BATCH_CONCURRENCY) await Promise.race(running);
  }
  await Promise.all(chains.values());
  const failed = results.filter((r) => r.status >= 400).length;
  return { succeeded: results.length - failed, failed, results };
}

function targetOf(op: BatchOperation, index: number): string {
  switch (op.op) {
    case 'update':
    case 'delete':
      return `id:${op.id}`;
    case 'upsert':
      return `match:${op.matchOn}:${matchValue(op) ?? index}`;
    case 'create': {
      // A create and an upsert of the same email must not race each other.
      const email = matchValue({ op: 'upsert', matchOn: 'email', contact: op.contact });
      return email ? `match:email:${email}` : `new:${index}`;
    }
  }
}

async function runOne(op: BatchOperation, index: number, principal: Principal, services: Services): Promise<BatchItemResult> {
  try {
    const written = await apply(op, principal, services);
    const status = written.created ? 201 : op.op === 'delete' ? 204 : 200;
    return { index, op: op.op, status, id: written.contact.id, ...(op.op === 'delete' ? {} : { contact: written.contact }) };
  } catch (error) {
    // An unexpected failure of one item (a throttled write, say) is that item's 500, retryable alone.
    const problem: Problem =
      problemOf(error) ?? problemFor('internal', 'This operation failed on our side; retry it on its own.');
    return { index, op: op.op, status: problem.status, error: problem };
  }
}

async function apply(
  op: BatchOperation,
  principal: Principal,
  { contacts }: Services,
): Promise<{ contact: Contact; created: boolean }> {
  switch (op.op) {
    case 'create':
      return { contact: await contacts.create(op.contact, principal.id), created: true };
    case 'update':
      return { contact: await contacts.update(op.id, op.patch, principal.id, op.ifMatch), created: false };
    case 'delete':
      if (!can(principal.role, 'crm:manage')) throw new ForbiddenError(`The role ${principal.role} may not archive contacts.`);
      return { contact: await contacts.archive(op.id, principal.id, op.ifMatch), created: false };
    case 'upsert': {
      const existingId = await findExisting(op, contacts.repository);
      if (existingId) return { contact: await contacts.update(existingId, op.contact, principal.id), created: false };
      try {
        return { contact: await contacts.create(op.contact, principal.id), created: true };
      } catch (error) {
        // Someone created the same person between our lookup and our write: update theirs.
        if (error instanceof ConflictError && error.existingId) {
          return { contact: await contacts.update(error.existingId, op.contact, principal.id), created: false };
        }
        throw error;
      }
    }
  }
}

function matchValue(op: Extract<BatchOperation, { op: 'upsert' }>): string | undefined {
  if (op.matchOn === 'email') {
    const emails = op.contact.emails;
    if (!Array.isArray(emails)) return undefined;
    const entries = emails as { address?: unknown; primary?: unknown }[];
    const primary = entries.find((e) => e?.primary === true) ?? entries[0];
    return typeof primary?.address === 'string' ? normalizeEmail(primary.address) : undefined;
  }
  const system = op.matchOn.slice('externalIds.'.length);
  const ids = op.contact.externalIds as Record<string, unknown> | undefined;
  const value = ids?.[system];
  return typeof value === 'string' ? value : undefined;
}

async function findExisting(
  op: Extract<BatchOperation, { op: 'upsert' }>,
  repository: Services['contacts']['repository'],
): Promise<string | undefined> {
  const value = matchValue(op);
  if (!value) throw ValidationError.of(`contact.${op.matchOn}`, `is needed to upsert on ${op.matchOn}`);
  if (op.matchOn === 'email') return repository.findOwnerOfEmail(value);
  return repository.findOwnerOfExternalId(op.matchOn.slice('externalIds.'.length), value);
}
