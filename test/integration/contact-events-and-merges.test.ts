import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { freshServices } from '../helpers/store.ts';
import { fixedClock } from '../../shared/domain/clock.ts';
import { keys } from '../../shared/store/keys.ts';
import type { Services } from '../../shared/app/services.ts';
import type { KithEvent } from '../../shared/events/types.ts';

const clock = fixedClock('2026-05-01T12:00:00.000Z');
let services: Services;
beforeAll(async () => {
  services = await freshServices(clock);
});

const person = async (firstName: string) => (await services.contacts.create({ firstName }, 'test')).id;
const daysAgo = (days: number) => new Date(clock.now().getTime() - days * 86_400_000).toISOString();

function contactEvent(
  type: string,
  id: string,
  version: number,
  changedFields: string[],
  data?: Record<string, unknown>,
): KithEvent {
  return {
    version: '0',
    id: `bus-${type}-${id}-${version}`,
    'detail-type': type as KithEvent['detail-type'],
    source: 'kith',
    account: '000000000000',
    time: clock.now().toISOString(),
    region: 'local',
    resources: [],
    detail: {
      eventId: `stream-${id}-${version}`,
      entity: 'contact',
      id,
      version,
      changedFields,
      actor: 'key:sales',
      occurredAt: clock.now().toISOString(),
      ...(data ? { data } : {}),
    },
  };
}

async function partition(contactId: string, prefix: string) {
  const { Items } = await services.store.db.send(
    new QueryCommand({
      TableName: services.store.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.contactPartition(contactId), ':prefix': prefix },
    }),
  );
  return Items ?? [];
}

describe('system entries from contact events (the timeline-recorder consumer)', () => {
  it('records a lifecycle stage change once, however often the event arrives', async () => {
    const { create } = await import('../../functions/timeline-recorder/app.ts');
    const handler = create(services);
    const id = await person('Stage');
    await services.contacts.update(id, { lifecycleStage: 'customer' }, 'key:sales');
    const event = contactEvent('contact.updated', id, 2, ['lifecycleStage', 'updatedAt'], { from: 'lead', to: 'customer' });
    expect(await handler(event, {} as never)).toBe('stage_changed');
    expect(await handler(event, {} as never)).toBe('stage_changed');
    const timeline = (await services.timeline.list(id, { limit: 10 })).results;
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({
      kind: 'system',
      systemEvent: 'lifecycle_stage.changed',
      subject: 'Lifecycle stage changed from lead to customer',
      data: { from: 'lead', to: 'customer' },
      createdBy: 'key:sales',
    });
    expect(await handler(contactEvent('contact.updated', id, 3, ['jobTitle']), {} as never)).toBe('ignored');
  });

  it('reads the new stage from the contact when the event does not carry it', async () => {
    const { recordContactEvent } = await import('../../shared/app/timeline-events.ts');
    const id = await person('NoData');
    await services.contacts.update(id, { lifecycleStage: 'opportunity' }, 'test');
    await recordContactEvent(contactEvent('contact.updated', id, 2, ['lifecycleStage']), services);
    expect((await services.timeline.list(id, { limit: 1 })).results[0]!.subject).toBe('Lifecycle stage set to opportunity');
  });

  it('records a merge on the survivor, naming the merged contact', async () => {
    const { recordContactEvent } = await import('../../shared/app/timeline-events.ts');
    const [survivor, loser] = [await person('Survivor'), await person('Loser')];
    const event = contactEvent('contact.merged', loser, 2, ['status', 'mergedInto'], { mergedInto: survivor });
    expect(await recordContactEvent(event, services)).toBe('merged');
    await recordContactEvent(event, services);
    expect((await services.timeline.list(survivor, { limit: 10 })).results).toMatchObject([
      { kind: 'system', systemEvent: 'contact.merged', subject: 'Merged with Loser', data: { mergedFrom: loser } },
    ]);
  });
});

describe('moving a merged contact’s items to the survivor', () => {
  it('moves the whole timeline and recomputes the survivor’s engagement, resumably', async () => {
    const [survivor, loser] = [await person('S'), await person('L')];
    await services.timeline.log(survivor, { kind: 'email', direction: 'out', occurredAt: daysAgo(1) }, 'test');
    for (let day = 0; day < 45; day++)
      await services.timeline.log(loser, { kind: 'note', body: `n${day}`, occurredAt: daysAgo(day + 2) }, 'test');
    await services.timeline.log(loser, { kind: 'meeting', occurredAt: daysAgo(0) }, 'test');

    expect(await services.timeline.moveActivities(loser, survivor)).toBe(46);
    expect(await services.timeline.moveActivities(loser, survivor)).toBe(0);
    expect(await partition(loser, 'ACT#')).toEqual([]);
    const moved = await partition(survivor, 'ACT#');
    expect(moved).toHaveLength(47);
    expect(moved.filter((a) => a.movedFrom === loser).every((a) => a.contactId === survivor)).toBe(true);
    const after = await services.contacts.repository.require(survivor);
    expect(after.lastInteractionAt).toBe(daysAgo(0));
    expect(after.engagementScore).toBeCloseTo(5 + 2 ** (-1 / 30), 6);
    const version = after.version;
    await services.timeline.moveActivities(loser, survivor);
    expect((await services.contacts.repository.require(survivor)).version).toBe(version); // nothing changed, nothing written
  });

  it('re-points ties at both ends, drops the tie between the two, and keeps the stronger duplicate', async () => {
    const [survivor, loser, x, y] = [await person('S2'), await person('L2'), await person('X'), await person('Y')];
    await services.relationships.connect(loser, { otherId: survivor, type: 'colleague' }, 'test');
    await services.relationships.connect(loser, { otherId: x, type: 'reports_to', strength: 0.9 }, 'test');
    await services.relationships.connect(survivor, { otherId: x, type: 'reports_to', strength: 0.4 }, 'test');
    await services.relationships.connect(y, { otherId: loser, type: 'introduced_by', strength: 0.7 }, 'test');

    expect(await services.relationships.moveRelationships(loser, survivor)).toBe(3);
    expect(await partition(loser, 'EDGE#')).toEqual([]);
    const ties = (await services.relationships.list(survivor, { limit: 10 })).results.map((r) => [
      r.typeKey,
      r.otherId,
      r.strength,
    ]);
    expect(ties.sort()).toEqual(
      [
        ['introduced', y, 0.7],
        ['reports_to', x, 0.9],
      ].sort(),
    );
    expect((await services.relationships.list(x, { limit: 10 })).results.map((r) => [r.typeKey, r.otherId, r.strength])).toEqual([
      ['manages', survivor, 0.9],
    ]);
    expect((await services.relationships.list(y, { limit: 10 })).results.map((r) => [r.typeKey, r.otherId])).toEqual([
      ['introduced_by', survivor],
    ]);
    expect(await services.relationships.moveRelationships(loser, survivor)).toBe(0);
  });

  it('moves the loser’s tasks, their contactId and their links together', async () => {
    const [survivor, loser] = [await person('S3'), await person('L3')];
    const open = await services.tasks.create({ title: 'Call', contactId: loser, dueAt: daysAgo(-1) }, 'test');
    const done = await services.tasks.create({ title: 'Sent', contactId: loser }, 'test');
    await services.tasks.complete(done.id, 'test');
    expect(await services.tasks.moveTasks(loser, survivor)).toBe(2);
    expect(await partition(loser, 'TASK#')).toEqual([]);
    expect((await services.tasks.get(open.id)).contactId).toBe(survivor);
    expect((await services.tasks.list({ contactId: survivor }, { limit: 10 })).results.map((t) => t.title)).toEqual([
      'Call',
      'Sent',
    ]);
    const link = await services.store.db.send(
      new GetCommand({ TableName: services.store.tableName, Key: keys.taskLink(survivor, await services.tasks.get(open.id)) }),
    );
    expect(link.Item?.taskId).toBe(open.id);
    expect(await services.tasks.moveTasks(loser, survivor)).toBe(0);
  });

  it('runs as participants of a merge: timeline, ties and tasks all end up on the survivor', async () => {
    const survivor = (await services.contacts.create({ firstName: 'Ada', lastName: 'Lovelace' }, 'test')).id;
    const loser = (
      await services.contacts.create({ firstName: 'Ada', lastName: 'Lovelace', emails: [{ address: 'ada@merge.test' }] }, 'test')
    ).id;
    const friend = await person('Friend');
    await services.timeline.log(loser, { kind: 'call', direction: 'in', occurredAt: daysAgo(0) }, 'test');
    await services.relationships.connect(loser, { otherId: friend, type: 'friend', strength: 0.6 }, 'test');
    const task = await services.tasks.create({ title: 'Follow up', contactId: loser }, 'test');

    await services.merges.merge(survivor, loser, 'key:steward');
    for (const prefix of ['ACT#', 'EDGE#', 'TASK#']) expect(await partition(loser, prefix), prefix).toEqual([]);
    expect((await services.timeline.list(survivor, { limit: 10 })).results.map((a) => a.kind)).toEqual(['call']);
    expect((await services.relationships.list(friend, { limit: 10 })).results.map((r) => r.otherId)).toEqual([survivor]);
    expect((await services.tasks.get(task.id)).contactId).toBe(survivor);
    expect((await services.contacts.repository.require(survivor)).engagementScore).toBe(6);
  });
});
