import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isErased } from '../domain/contact-record.ts';
import { NotAvailableError, VersionMismatchError } from '../domain/errors.ts';
import { LIMITS } from '../domain/limits.ts';
import { FINAL_JOB_STATUSES } from '../domain/job-record.ts';
import type { Job } from '../domain/jobs.ts';
import { inverseOf, type RelationshipSide } from '../domain/relationships.ts';
import type { BlobStorage } from '../blobs/blob-storage.ts';
import type { DeadLetterQueue } from '../events/dead-letters.ts';
import type { ContactRepository } from '../store/contacts.ts';
import { deleteKeys } from '../store/deletes.ts';
import { ITEM_TYPES, keys, type Key } from '../store/keys.ts';
import type { JobRepository } from '../store/jobs.ts';
import type { SuppressionRepository } from '../store/suppressions.ts';
import type { DeliveryRepository } from '../store/webhooks.ts';
import type { Store } from '../store/client.ts';
import type { DuplicateService } from './duplicates.ts';
import type { SegmentService } from './segments.ts';
import { WorkflowRunRepository } from '../store/workflows.ts';
import type { ContactSearchService } from './search.ts';
import type { ErasureContext, ErasureParticipant } from './erasure.ts';
import { scrubExportFile, scrubImport, uploadMentions } from './erasure-files.ts';
import type { Needs } from './services.ts';

/** Why the suppression list holds a hash. */
export const SUPPRESSED_BY_ERASURE = 'erased';

/** First: the salted hashes go on the suppression list, so no import or create brings the person back meanwhile. */
export function suppressionsParticipant(suppressions: () => SuppressionRepository): ErasureParticipant {
  return {
    name: 'suppressions',
    async erase({ erasure }) {
      await suppressions().suppressHashes(erasure.identityHashes, SUPPRESSED_BY_ERASURE);
      return erasure.identityHashes.length;
    },
  };
}

/**
 * Each of the person's records releases its claims (primary email, external ids) and becomes an
 * erased tombstone, survivor first: from then on every read answers 404 and every write that
 * guards on the contact (timeline, ties, tasks, history, suggestions) is refused.
 */
export function recordsParticipant(contacts: () => ContactRepository): ErasureParticipant {
  return {
    name: 'records',
    async erase({ erasure, actor, now }) {
      let erased = 0;
      for (const id of erasure.contactIds) {
        for (let attempt = 1; ; attempt++) {
          const current = await contacts().record(id);
          if (!current || isErased(current)) break;
          erased += await contacts().releaseClaims(current, erasure.contactIds);
          try {
            await contacts().erase(current, { erasureId: erasure.id, at: now().toISOString(), actor });
            erased++;
            break;
          } catch (error) {
            if (!(error instanceof VersionMismatchError) || attempt >= LIMITS.maxOptimisticRetries) throw error;
          }
        }
      }
      return erased;
    },
  };
}

/**
 * Everything in the person's partitions (`CONTACT#<id>`): timeline, field history, company
 * memberships, ties, task links, idempotency references; and what those point at elsewhere:
 * the other end of each tie, each task about the person (its reminder index entry is on the
 * task), each stored idempotent response that carries them. Pointed-at items go first, so a
 * crash leaves the pointer for the retry.
 */
export function partitionParticipant(store: () => Store): ErasureParticipant {
  return {
    name: 'partition',
    async erase({ erasure }) {
      let erased = 0;
      for (const id of erasure.contactIds) {
        for (;;) {
          const { Items = [] } = await store().db.send(
            new QueryCommand({
              TableName: store().tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.contactPartition(id) },
              Limit: LIMITS.erasurePageSize + 1,
              ConsistentRead: true,
            }),
          );
          const page = Items.filter((item) => item.sk !== keys.contact(id).sk);
          if (page.length === 0) break;
          const pointedAt = await pointedAtBy(store(), page, erasure.contactIds);
          await deleteKeys(store(), pointedAt);
          await deleteKeys(
            store(),
            page.map((item) => ({ pk: item.pk as string, sk: item.sk as string })),
          );
          erased += page.length + pointedAt.length;
        }
      }
      return erased;
    },
  };
}

/** The items outside the partition that the page's items stand for. */
async function pointedAtBy(store: Store, page: Record<string, unknown>[], contactIds: readonly string[]): Promise<Key[]> {
  const pointed: Key[] = [];
  const taskIds: string[] = [];
  for (const item of page) {
    if (item.entityType === ITEM_TYPES.relationship) {
      const other = inverseOf(item as unknown as RelationshipSide);
      pointed.push(keys.relationship(other.contactId, other.typeKey, other.otherId));
    } else if (item.entityType === ITEM_TYPES.taskLink && typeof item.taskId === 'string') {
      taskIds.push(item.taskId);
    } else if (item.entityType === ITEM_TYPES.idempotencyRef && isKey(item.record)) {
      pointed.push(item.record);
    }
  }
  for (let i = 0; i < taskIds.length; i += LIMITS.maxBatchGetKeys) {
    const { Responses } = await store.db.send(
      new BatchGetCommand({
        RequestItems: {
          [store.tableName]: {
            Keys: taskIds.slice(i, i + LIMITS.maxBatchGetKeys).map((taskId) => keys.task(taskId)),
            ProjectionExpression: 'pk, sk, contactId',
            ConsistentRead: true,
          },
        },
      }),
    );
    // A task about the person goes with them; a stale link to someone else's task goes alone.
    for (const task of Responses?.[store.tableName] ?? []) {
      if (contactIds.includes(task.contactId as string)) pointed.push({ pk: task.pk as string, sk: task.sk as string });
    }
  }
  return pointed;
}

function isKey(value: unknown): value is Key {
  return (
    typeof value === 'object' && value !== null && typeof (value as Key).pk === 'string' && typeof (value as Key).sk === 'string'
  );
}

/** Duplicate suggestions with the person (both contacts' links), their blocking keys and dedup state. */
export function duplicatesParticipant(duplicates: () => DuplicateService): ErasureParticipant {
  return {
    name: 'duplicates',
    async erase({ erasure }) {
      let erased = 0;
      for (const id of erasure.contactIds) erased += await duplicates().forget(id);
      return erased;
    },
  };
}

/**
 * Workflows: every run for the person (its outcomes say what was done to them) and their
 * recorded segment memberships. Their webhook deliveries go with the other deliveries.
 */
export function workflowsParticipant(deps: () => { store: Store; segments: SegmentService }): ErasureParticipant {
  return {
    name: 'workflows',
    async erase({ erasure }) {
      const { store, segments } = deps();
      const runs = new WorkflowRunRepository(store);
      let erased = 0;
      for (const id of erasure.contactIds) {
        for (;;) {
          const page = await runs.ofContact(id, { limit: LIMITS.erasurePageSize });
          if (page.results.length === 0) break;
          await deleteKeys(
            store,
            page.results.map((run) => keys.workflowRun(run.workflowId, run.contactId, run.key)),
          );
          erased += page.results.length;
        }
      }
      let cursor: string | undefined;
      do {
        const page = await segments.list({ limit: LIMITS.maxPageSize, cursor });
        const memberships = page.results.flatMap((segment) => erasure.contactIds.map((id) => keys.segmentMember(segment.id, id)));
        await deleteKeys(store, memberships);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return erased;
    },
  };
}

/** The checkpoints of the merges that folded the person's other records into the survivor. */
export function mergesParticipant(store: () => Store): ErasureParticipant {
  return {
    name: 'merges',
    async erase({ erasure }) {
      await deleteKeys(
        store(),
        erasure.contactIds.map((id) => keys.merge(id)),
      );
      return erasure.contactIds.length - 1;
    },
  };
}

/**
 * Webhook deliveries about the person keep their metadata (status, attempts, response codes) for
 * the subscription's log, without the payload; one still waiting for a retry is given up.
 */
export function deliveriesParticipant(deliveries: () => DeliveryRepository): ErasureParticipant {
  return {
    name: 'webhook_deliveries',
    async erase({ erasure, now }) {
      let erased = 0;
      for (const id of erasure.contactIds) {
        let cursor: string | undefined;
        do {
          const page = await deliveries().mentioning(id, { limit: LIMITS.erasurePageSize, cursor });
          for (const delivery of page.results) if (await deliveries().redact(delivery, now())) erased++;
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      return erased;
    },
  };
}

/** The search documents become tombstones without any field, above every version written before. */
export function searchParticipant(search: () => ContactSearchService): ErasureParticipant {
  return {
    name: 'search',
    async erase({ erasure }) {
      for (const id of erasure.contactIds) {
        const report = await search().forget(id);
        if (report.rejected.length > 0)
          throw new Error(`the search index did not take the tombstone of ${id}; retry the erasure`);
      }
      return erasure.contactIds.length;
    },
  };
}

/**
 * Imports and exports: the person's rows leave finished imports (job item and error report),
 * their records leave export files, and an upload waiting to be imported (or abandoned) that
 * names them is deleted. A job still running finishes its own scrub (it sees the erasure).
 */
export function jobsParticipant(deps: () => { jobs: JobRepository; blobs: BlobStorage }): ErasureParticipant {
  return {
    name: 'jobs',
    async erase(context) {
      const { jobs, blobs } = deps();
      let erased = 0;
      for (const kind of ['import', 'export'] as const) {
        for await (const job of jobs.everyJob(kind)) erased += await scrubJob(job, jobs, blobs, context);
      }
      return erased;
    },
  };
}

async function scrubJob(
  job: Job,
  jobs: JobRepository,
  blobs: BlobStorage,
  { erasure, matcher }: ErasureContext,
): Promise<number> {
  const final = FINAL_JOB_STATUSES.includes(job.status);
  if (job.kind === 'export') {
    // An export made before the person existed cannot hold them.
    if (job.status !== 'completed' || job.createdAt < erasure.since) return 0;
    const dropped = await scrubExportFile(blobs, job.fileKey, job.format, matcher);
    if (dropped > 0)
      await replaceJob(jobs, job, (current) => ({ ...current, exported: Math.max(0, current.exported - dropped) }));
    return dropped;
  }
  let erased = 0;
  if ((job.status === 'awaiting_upload' || final) && (await uploadMentions(blobs, job.fileKey, matcher))) {
    await blobs.delete(job.fileKey);
    erased++;
  }
  if (!final) return erased;
  const { fields, reportLines } = await scrubImport(job, blobs, matcher);
  if (fields) {
    await replaceJob(jobs, job, (current) => ({ ...current, ...fields }));
    erased++;
  }
  return erased + reportLines;
}

async function replaceJob<J extends Job>(jobs: JobRepository, job: J, change: (current: J) => J): Promise<void> {
  let current = job;
  for (let attempt = 1; ; attempt++) {
    try {
      await jobs.replace(current, change(current));
      return;
    } catch (error) {
      if (!(error instanceof VersionMismatchError) || attempt >= LIMITS.maxOptimisticRetries) throw error;
      current = (await jobs.get<J>(job.id, job.kind))!;
    }
  }
}

/**
 * Failed deliveries about the person (their events carry old and new values) are discarded.
 * Where the runtime has no dead-letter adapter (AWS until the SQS one exists), the count is -1:
 * the queues keep such events for their retention period (README, Privacy).
 */
export function deadLettersParticipant(deadLetters: () => DeadLetterQueue): ErasureParticipant {
  return {
    name: 'dead_letters',
    async erase({ erasure }) {
      try {
        return await deadLetters().discardAbout(erasure.contactIds);
      } catch (error) {
        if (error instanceof NotAvailableError) return -1;
        throw error;
      }
    },
  };
}

/**
 * Every store that may hold something about a person, and how erasure clears it, in order: the
 * suppression list first, then the records (reads answer 404 from there on), then everything
 * else. Add yours here (see ErasureParticipant for the contract).
 */
export const builtInErasureParticipants = (
  parts: Needs<
    | 'suppressions'
    | 'contactRepository'
    | 'store'
    | 'duplicates'
    | 'segments'
    | 'webhookDeliveries'
    | 'search'
    | 'jobs'
    | 'blobs'
    | 'deadLetters'
  >,
): ErasureParticipant[] => [
  suppressionsParticipant(() => parts.suppressions),
  recordsParticipant(() => parts.contactRepository),
  partitionParticipant(() => parts.store),
  duplicatesParticipant(() => parts.duplicates),
  mergesParticipant(() => parts.store),
  workflowsParticipant(() => parts),
  deliveriesParticipant(() => parts.webhookDeliveries),
  searchParticipant(() => parts.search),
  jobsParticipant(() => parts),
  deadLettersParticipant(() => parts.deadLetters),
];
