import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { claimsOf } from '../store/contacts.ts';
import { keys } from '../store/keys.ts';
import { moveContactItems } from '../store/merges.ts';
import { queryPage } from '../store/pages.ts';
import { isConditionFailure } from '../store/transact.ts';
import type { DuplicateService } from './duplicates.ts';
import type { TimelineService } from './timeline.ts';
import type { RelationshipService } from './relationships.ts';
import type { TaskService } from './tasks.ts';
import type { MergeParticipant } from './merge.ts';

/**
 * The loser's email and external-id claims pass to the survivor, so creating a contact with
 * the loser's email answers 409 naming the survivor, and a sync by the loser's external id
 * updates the survivor. A claim that changed hands since is left alone.
 */
export const claimsParticipant: MergeParticipant = {
  name: 'claims',
  partitionPrefixes: [],
  async move({ loser, survivorId, loserId, store }) {
    for (const key of claimsOf(loser).values()) {
      await store.db
        .send(
          new PutCommand({
            TableName: store.tableName,
            Item: {
              ...key,
              entityType: key.pk.startsWith('EMAIL#') ? 'email_claim' : 'external_id_claim',
              ownerId: survivorId,
              mergedFrom: loserId,
            },
            ConditionExpression: 'ownerId = :loser',
            ExpressionAttributeValues: { ':loser': loserId },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    }
  },
};

/**
 * The loser's company memberships end: the survivor's membership follows its merged
 * `companyId`, written in the survivorship transaction.
 */
export const membershipParticipant: MergeParticipant = {
  name: 'memberships',
  partitionPrefixes: [keys.contactItemPrefix.membership],
  async move({ loserId, store }) {
    for (;;) {
      const page = await queryPage<{ companyId: string }>(store, {
        partition: keys.contactPartition(loserId),
        sortKeyPrefix: keys.contactItemPrefix.membership,
        limit: 100,
      });
      if (page.results.length === 0) return;
      for (const membership of page.results) {
        await store.db.send(
          new DeleteCommand({ TableName: store.tableName, Key: keys.membership(loserId, membership.companyId) }),
        );
      }
    }
  },
};

/** Field history (`HIST#<ulid>`) moves as it is: ULIDs never collide, so both histories interleave in time. */
export const historyParticipant: MergeParticipant = {
  name: 'history',
  partitionPrefixes: [keys.contactItemPrefix.history],
  async move({ loserId, survivorId, store }) {
    await moveContactItems(store, { from: loserId, to: survivorId, prefix: keys.contactItemPrefix.history });
  },
};

/**
 * Suggestions involving the loser close as `merged` (including the pair just merged); the
 * loser leaves the blocking index. The survivor's changed identity is re-matched by the dedup
 * consumer when its `contact.updated` event arrives.
 */
export function duplicatesParticipant(duplicates: () => DuplicateService): MergeParticipant {
  return {
    name: 'duplicates',
    partitionPrefixes: [],
    async move({ loserId }) {
      await duplicates().syncContact(loserId);
    },
  };
}

/** The loser's timeline moves to the survivor, whose engagement is then recomputed from both. */
export function activitiesParticipant(timeline: () => TimelineService): MergeParticipant {
  return {
    name: 'activities',
    partitionPrefixes: [keys.contactItemPrefix.activity],
    async move({ loserId, survivorId, actor }) {
      await timeline().moveActivities(loserId, survivorId, actor);
    },
  };
}

/**
 * The loser's ties are re-pointed at both ends to the survivor; a tie between the two merged
 * contacts disappears, and a tie both had keeps the stronger strength.
 */
export function relationshipsParticipant(relationships: () => RelationshipService): MergeParticipant {
  return {
    name: 'relationships',
    partitionPrefixes: [keys.contactItemPrefix.edge],
    async move({ loserId, survivorId, actor }) {
      await relationships().moveRelationships(loserId, survivorId, actor);
    },
  };
}

/** The loser's tasks become the survivor's: each task's `contactId` and its link move together. */
export function tasksParticipant(tasks: () => TaskService): MergeParticipant {
  return {
    name: 'tasks',
    partitionPrefixes: [keys.contactItemPrefix.task],
    async move({ loserId, survivorId, actor }) {
      await tasks().moveTasks(loserId, survivorId, actor);
    },
  };
}
