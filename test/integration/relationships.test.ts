import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { freshServices } from '../helpers/store.ts';
import { NotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import { keys } from '../../shared/store/keys.ts';
import type { Services } from '../../shared/app/services.ts';

let services: Services;
beforeAll(async () => {
  services = await freshServices();
});

const person = async (firstName: string) => (await services.contacts.create({ firstName }, 'test')).id;

async function item(key: { pk: string; sk: string }) {
  return (await services.store.db.send(new GetCommand({ TableName: services.store.tableName, Key: key }))).Item;
}

describe('the relationship map on DynamoDB Local', () => {
  it('writes both ends of a tie, with the inverse type at the other end', async () => {
    const [ada, grace] = [await person('Ada'), await person('Grace')];
    const { relationship, created } = await services.relationships.connect(
      ada,
      { otherId: grace, type: 'reports_to', strength: 0.7 },
      'test',
    );
    expect(created).toBe(true);
    expect(relationship).toMatchObject({ contactId: ada, otherId: grace, typeKey: 'reports_to', version: 1 });
    expect(await item(keys.relationship(ada, 'reports_to', grace))).toMatchObject({ entityType: 'relationship', strength: 0.7 });
    expect(await item(keys.relationship(grace, 'manages', ada))).toMatchObject({
      entityType: 'relationship',
      strength: 0.7,
      version: 1,
    });
    const fromGrace = await services.relationships.list(grace, { limit: 10 });
    expect(fromGrace.results.map((r) => [r.typeKey, r.otherId])).toEqual([['manages', ada]]);
  });

  it('updates a tie posted again, at both ends, and tells it from a new one', async () => {
    const [a, b] = [await person('A'), await person('B')];
    await services.relationships.connect(a, { otherId: b, type: 'friend', strength: 0.3 }, 'test');
    const { relationship, created } = await services.relationships.connect(
      a,
      { otherId: b, type: 'friend', strength: 0.9, notes: 'close' },
      'test',
    );
    expect(created).toBe(false);
    expect(relationship).toMatchObject({ version: 2, strength: 0.9 });
    expect(await item(keys.relationship(b, 'friend', a))).toMatchObject({ version: 2, strength: 0.9, notes: 'close' });
  });

  it('writes nothing when the other contact does not exist', async () => {
    const a = await person('Lonely');
    await expect(
      services.relationships.connect(a, { otherId: '01J00000000000000000000000', type: 'friend' }, 'test'),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await services.relationships.list(a, { limit: 10 })).results).toEqual([]);
    await expect(services.relationships.connect(a, { otherId: a, type: 'friend' }, 'test')).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('removes both ends in one transaction', async () => {
    const [a, b] = [await person('Ex'), await person('Boss')];
    await services.relationships.connect(a, { otherId: b, type: 'custom', label: 'Mentor', inverseLabel: 'Mentee' }, 'test');
    expect(await item(keys.relationship(b, 'custom:mentee', a))).toBeDefined();
    await services.relationships.disconnect(b, 'custom:mentee', a);
    expect(await item(keys.relationship(a, 'custom:mentor', b))).toBeUndefined();
    expect(await item(keys.relationship(b, 'custom:mentee', a))).toBeUndefined();
    await expect(services.relationships.disconnect(a, 'custom:mentor', b)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets two concurrent writers of the same tie both land, one after the other', async () => {
    const [a, b] = [await person('Race1'), await person('Race2')];
    const results = await Promise.all(
      [0.2, 0.4, 0.6].map((strength) => services.relationships.connect(a, { otherId: b, type: 'colleague', strength }, 'test')),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const here = await item(keys.relationship(a, 'colleague', b));
    const there = await item(keys.relationship(b, 'colleague', a));
    expect(here!.version).toBe(3);
    expect(there).toMatchObject({ version: 3, strength: here!.strength });
  });

  it('finds warm introductions through the map, best path first', async () => {
    const [me, friend, boss, ceo, stranger] = (await Promise.all(['Me', 'Friend', 'Boss', 'Ceo', 'Stranger'].map(person))) as [
      string,
      string,
      string,
      string,
      string,
    ];
    await services.relationships.connect(me, { otherId: friend, type: 'friend', strength: 0.9 }, 'test');
    await services.relationships.connect(friend, { otherId: boss, type: 'former_colleague', strength: 0.8 }, 'test');
    await services.relationships.connect(boss, { otherId: ceo, type: 'reports_to', strength: 0.9 }, 'test');
    await services.relationships.connect(me, { otherId: stranger, type: 'colleague', strength: 0.2 }, 'test');
    await services.relationships.connect(stranger, { otherId: ceo, type: 'family', strength: 1 }, 'test');

    const intros = await services.relationships.introductions(me, ceo);
    expect(intros.complete).toBe(true);
    expect(intros.results.map((p) => p.contacts.map((c) => c.name))).toEqual([
      ['Me', 'Friend', 'Boss', 'Ceo'],
      ['Me', 'Stranger', 'Ceo'],
    ]);
    expect(intros.results[0]!.strength).toBeCloseTo(0.9 * 0.8 * 0.9);
    expect(intros.results[0]!.ties.map((t) => t.typeKey)).toEqual(['friend', 'former_colleague', 'reports_to']);
    expect((await services.relationships.introductions(me, await person('Unreachable'))).results).toEqual([]);
  });
});
