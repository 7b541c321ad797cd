import { describe, expect, it } from 'vitest';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { freshStore } from '../helpers/store.ts';
import { createServices, type Services } from '../../shared/app/services.ts';
import type { MergeParticipant } from '../../shared/app/merge.ts';
import { ConflictError } from '../../shared/domain/errors.ts';
import { newId } from '../../shared/domain/ids.ts';
import { keys } from '../../shared/store/keys.ts';
import { moveContactItems } from '../../shared/store/merges.ts';

async function servicesWith(extra: MergeParticipant[] = []): Promise<Services> {
  return createServices({ store: await freshStore(), settings: { defaultPhoneRegion: 'US' }, extraMergeParticipants: extra });
}

/** Items of a contact's partition other than its profile, by sort key. */
async function partition(services: Services, contactId: string): Promise<string[]> {
  const { Items = [] } = await services.store.db.send(
    new QueryCommand({
      TableName: services.store.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.contactPartition(contactId) },
    }),
  );
  return Items.map((item) => item.sk as string).filter((sk) => sk !== 'PROFILE');
}

async function addItems(services: Services, contactId: string, prefix: string, count: number): Promise<string[]> {
  const sks: string[] = [];
  for (let i = 0; i < count; i++) {
    if (prefix === keys.contactItemPrefix.activity) {
      // Timeline entries are real ones: the activities participant moves them as the timeline does.
      const activity = await services.timeline.log(contactId, { kind: 'note', body: `note ${i}` }, 'test');
      sks.push(keys.activity(contactId, activity.id).sk);
      continue;
    }
    const sk = `${prefix}${newId()}`;
    sks.push(sk);
    await services.store.db.send(
      new PutCommand({
        TableName: services.store.tableName,
        Item: {
          pk: keys.contactPartition(contactId),
          sk,
          entityType: 'history',
          contactId,
          n: i,
        },
      }),
    );
  }
  return sks;
}

describe('merging contacts', () => {
  it('keeps every field, claim, membership, history and activity of both', async () => {
    const services = await servicesWith();
    const company = await services.companies.create({ name: 'Analytical Engines Ltd', domain: 'engines.example' }, 'test');
    const survivor = await services.contacts.create(
      {
        firstName: 'Ada',
        lastName: 'Lovelace',
        emails: [{ address: 'ada@example.com' }],
        tags: ['vip'],
        externalIds: { hubspot: 'h-1' },
      },
      'test',
    );
    const loser = await services.contacts.create(
      {
        firstName: 'Augusta Ada',
        lastName: 'King',
        emails: [{ address: 'countess@lovelace.example' }],
        phones: [{ number: '+44 20 7123 4567' }],
        tags: ['math'],
        companyId: company.id,
        birthday: '1815-12-10',
        externalIds: { salesforce: 's-9', hubspot: 'h-2' },
      },
      'test',
    );
    const history = await addItems(services, loser.id, 'HIST#', 3);
    const activities = await addItems(services, loser.id, 'ACT#', 5);

    const merged = await services.merges.merge(survivor.id, loser.id, 'steward');

    expect(merged).toMatchObject({
      id: survivor.id,
      firstName: 'Augusta Ada', // the loser was updated last: newest non-empty value wins
      birthday: '1815-12-10',
      companyId: company.id,
      tags: ['vip', 'math'],
      externalIds: { hubspot: 'h-1', salesforce: 's-9' },
      mergedFrom: [loser.id],
    });
    expect(merged.emails).toEqual([
      { address: 'ada@example.com', primary: true },
      { address: 'countess@lovelace.example', primary: false },
    ]);
    expect(merged.phones.map((p) => p.number)).toEqual(['+442071234567']);
    expect(await partition(services, loser.id)).toEqual([]);
    expect(await partition(services, survivor.id)).toEqual(
      expect.arrayContaining([...history, ...activities, `MEMBER#COMPANY#${company.id}`]),
    );
    // Reads of the loser lead to the survivor; its email and external ids now name the survivor.
    expect((await services.contacts.get(loser.id)).id).toBe(survivor.id);
    expect(await services.contacts.repository.findOwnerOfEmail('countess@lovelace.example')).toBe(survivor.id);
    expect(await services.contacts.repository.findOwnerOfExternalId('salesforce', 's-9')).toBe(survivor.id);
    expect(await services.contacts.repository.findOwnerOfExternalId('hubspot', 'h-2')).toBe(survivor.id);
    const members = await services.companies.contactsOf(company.id, { limit: 10 });
    expect(members.results.map((c) => c.id)).toEqual([survivor.id]);
  });

  it('answers the same survivor when the same merge is sent again', async () => {
    const services = await servicesWith();
    const a = await services.contacts.create({ firstName: 'Alan', lastName: 'Turing' }, 'test');
    const b = await services.contacts.create(
      { firstName: 'A.', lastName: 'Turing', emails: [{ address: 'alan@bletchley.example' }] },
      'test',
    );
    const first = await services.merges.merge(a.id, b.id, 'steward');
    const again = await services.merges.merge(a.id, b.id, 'steward');
    expect(again).toEqual(first);
  });

  it('lets exactly one of A←B and B←A win when both arrive at once, and loses nothing', async () => {
    const services = await servicesWith();
    for (let round = 0; round < 3; round++) {
      const a = await services.contacts.create(
        { firstName: 'Grace', lastName: 'Hopper', emails: [{ address: `grace${round}@navy.example` }] },
        'test',
      );
      const b = await services.contacts.create(
        { firstName: 'Grace', lastName: 'Hopper', phones: [{ number: '+12025550100' }] },
        'test',
      );
      const itemsA = await addItems(services, a.id, 'ACT#', 3);
      const itemsB = await addItems(services, b.id, 'ACT#', 3);
      const results = await Promise.allSettled([
        services.merges.merge(a.id, b.id, 'one'),
        services.merges.merge(b.id, a.id, 'two'),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      const survivor = (won[0] as PromiseFulfilledResult<{ id: string }>).value.id;
      const loser = survivor === a.id ? b.id : a.id;
      expect(await partition(services, survivor)).toEqual(expect.arrayContaining([...itemsA, ...itemsB]));
      expect(await partition(services, loser)).toEqual([]);
      const reread = await services.contacts.get(survivor);
      expect(reread.emails.map((e) => e.address)).toContain(`grace${round}@navy.example`);
      expect(reread.phones.map((p) => p.number)).toContain('+12025550100');
    }
  });

  it('finishes on retry a merge that crashed half-way through more than one transaction of items', async () => {
    let crashes = 1;
    const flaky: MergeParticipant = {
      name: 'flaky-activities',
      partitionPrefixes: ['ACT#'],
      async move({ loserId, survivorId, store }) {
        // Moves one batch, then dies like a timed-out Lambda would.
        if (crashes-- > 0) {
          await moveContactItems(store, { from: loserId, to: survivorId, prefix: 'NONE#' });
          throw new Error('Lambda timed out');
        }
        await moveContactItems(store, { from: loserId, to: survivorId, prefix: 'ACT#' });
      },
    };
    const services = await servicesWith([flaky]);
    const a = await services.contacts.create({ firstName: 'Mary', lastName: 'Somerville' }, 'test');
    const b = await services.contacts.create(
      { firstName: 'Mary', lastName: 'Somerville', emails: [{ address: 'mary@example.com' }] },
      'test',
    );
    const activities = await addItems(services, b.id, 'ACT#', 130);
    const history = await addItems(services, b.id, 'HIST#', 110);

    await expect(services.merges.merge(a.id, b.id, 'steward')).rejects.toThrow('Lambda timed out');
    // Half-merged: the loser is already a tombstone that reads as the survivor.
    expect((await services.contacts.get(b.id)).id).toBe(a.id);

    const survivor = await services.merges.merge(a.id, b.id, 'steward');
    expect(survivor.mergedFrom).toEqual([b.id]);
    expect(await partition(services, b.id)).toEqual([]);
    expect((await partition(services, a.id)).sort()).toEqual([...activities, ...history].sort());
  });

  it('refuses to merge a contact into itself or into one that was merged away', async () => {
    const services = await servicesWith();
    const a = await services.contacts.create({ firstName: 'Emmy', lastName: 'Noether' }, 'test');
    const b = await services.contacts.create(
      { firstName: 'Emmy', lastName: 'Noether', phones: [{ number: '+4930123456' }] },
      'test',
    );
    const c = await services.contacts.create({ firstName: 'Emmy', lastName: 'N.' }, 'test');
    await expect(services.merges.merge(a.id, a.id, 'steward')).rejects.toThrow('another contact');
    await services.merges.merge(a.id, b.id, 'steward');
    await expect(services.merges.merge(b.id, c.id, 'steward')).rejects.toBeInstanceOf(ConflictError);
    await expect(services.merges.merge(c.id, b.id, 'steward')).rejects.toBeInstanceOf(ConflictError);
  });
});
