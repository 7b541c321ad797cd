import { beforeAll, describe, expect, it } from 'vitest';
import { freshServices } from '../helpers/store.ts';
import { create } from '../../functions/dedup/app.ts';
import type { Services } from '../../shared/app/services.ts';
import type { KithEvent } from '../../shared/events/types.ts';
import { lambdaContext } from '../../infra/local/lambda.ts';

/** An event as the pipeline delivers it (shared/events/types.ts). */
function contactEvent(type: string, id: string, version: number, changedFields: string[]): KithEvent {
  return {
    version: '0',
    id: `evt-${id}-${version}`,
    'detail-type': type as KithEvent['detail-type'],
    source: 'kith',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'local',
    resources: [],
    detail: {
      eventId: `${id}:${version}`,
      entity: 'contact',
      id,
      version,
      changedFields,
      actor: 'test',
      occurredAt: new Date().toISOString(),
    },
  };
}

describe('the dedup consumer', () => {
  let services: Services;
  let handle: (event: unknown) => Promise<unknown>;

  beforeAll(async () => {
    services = await freshServices();
    const handler = create(services);
    handle = (event) => handler(event as never, lambdaContext('dedup'));
  });

  const created = async (input: Record<string, unknown>) => {
    const contact = await services.contacts.create(input, 'test');
    await handle(contactEvent('contact.created', contact.id, contact.version, Object.keys(input)));
    return contact;
  };
  const openPairs = async () => (await services.duplicates.list('open', { limit: 100 })).results;

  it('suggests Robert Smith, +1 (415) 555-0100 and Bob Smith, 415.555.0100, with reasons', async () => {
    const robert = await created({ firstName: 'Robert', lastName: 'Smith', phones: [{ number: '+1 (415) 555-0100' }] });
    const bob = await created({ firstName: 'Bob', lastName: 'Smith', phones: [{ number: '415.555.0100' }] });
    const pair = (await openPairs()).find((p) => p.contactIds.includes(robert.id) && p.contactIds.includes(bob.id));
    expect(pair).toMatchObject({ status: 'open', contactIds: [robert.id, bob.id].sort() });
    expect(pair!.score).toBeGreaterThanOrEqual(0.8);
    expect(pair!.reasons).toEqual(expect.arrayContaining(['same phone', 'nickname Bob = Robert']));
  });

  it('tolerates redelivered and out-of-order events without duplicating or regressing a suggestion', async () => {
    const a = await created({ firstName: 'Elizabeth', lastName: 'Taylor', emails: [{ address: 'liz.taylor@example.com' }] });
    const b = await created({
      firstName: 'Liz',
      lastName: 'Taylor',
      emails: [{ address: 'liz@home.example' }, { address: 'Liz.Taylor@example.com' }],
    });
    const before = (await openPairs()).filter((p) => p.contactIds.includes(a.id));
    expect(before).toHaveLength(1);
    const updated = await services.contacts.update(b.id, { jobTitle: 'CTO' }, 'test');
    // Late, repeated and reordered: the consumer reads the contact as it is now each time.
    await handle(contactEvent('contact.updated', b.id, updated.version, ['jobTitle', 'version']));
    await handle(contactEvent('contact.created', b.id, 1, ['firstName']));
    await handle(contactEvent('contact.created', b.id, 1, ['firstName']));
    const after = (await openPairs()).filter((p) => p.contactIds.includes(a.id));
    expect(after).toEqual(before);
  });

  it('keeps a dismissed pair dismissed until one of the two changes materially', async () => {
    const a = await created({ firstName: 'Joan', lastName: 'Harris', phones: [{ number: '+12125550111' }] });
    const b = await created({ firstName: 'Joan', lastName: 'Harris', phones: [{ number: '(212) 555-0111' }] });
    const pair = (await openPairs()).find((p) => p.contactIds.includes(a.id))!;
    await services.duplicates.dismiss(pair.id, 'steward');
    expect((await openPairs()).some((p) => p.id === pair.id)).toBe(false);

    const retitled = await services.contacts.update(b.id, { jobTitle: 'Director', firstName: 'JOAN' }, 'test');
    await handle(contactEvent('contact.updated', b.id, retitled.version, ['jobTitle', 'firstName']));
    expect((await services.duplicates.get(pair.id)).status).toBe('dismissed');

    const rephoned = await services.contacts.update(b.id, { emails: [{ address: 'joan.harris@example.com' }] }, 'test');
    await handle(contactEvent('contact.updated', b.id, rephoned.version, ['emails']));
    expect((await services.duplicates.get(pair.id)).status).toBe('open');
  });

  it('withdraws the suggestions of an archived contact', async () => {
    const a = await created({
      firstName: 'Oscar',
      lastName: 'Wilde',
      birthday: '1854-10-16',
      emails: [{ address: 'oscar@wilde.example' }],
    });
    const b = await created({ firstName: 'Oscar', lastName: 'Wilde', birthday: '1854-10-16' });
    const pair = (await openPairs()).find((p) => p.contactIds.includes(a.id))!;
    const archived = await services.contacts.archive(b.id, 'test');
    await handle(contactEvent('contact.archived', b.id, archived.version, ['status']));
    expect((await services.duplicates.get(pair.id)).status).toBe('withdrawn');
  });

  it('lets an import find stored matches for a row before creating it', async () => {
    const stored = await created({ firstName: 'William', lastName: 'Turner', emails: [{ address: 'w.turner@tate.example' }] });
    const matches = await services.duplicates.findMatches({
      id: 'row-7',
      firstName: 'Bill',
      lastName: 'Turner',
      emails: [{ address: 'W.Turner@tate.example' }],
    });
    expect(matches[0]).toMatchObject({ contactId: stored.id });
    expect(matches[0]!.reasons).toContain('same email address');
  });

  it('finds in its audit the pairs no event announced, and writes each once', async () => {
    const a = await services.contacts.create(
      { firstName: 'Grace', lastName: 'Hopper', birthday: '1906-12-09', phones: [{ number: '+12025550199' }] },
      'test',
    );
    const b = await services.contacts.create(
      { firstName: 'Grace', lastName: 'Hopper', phones: [{ number: '202-555-0199' }] },
      'test',
    );
    const first = await services.duplicates.audit();
    expect(first.contacts).toBeGreaterThanOrEqual(2);
    expect((await openPairs()).some((p) => p.contactIds.includes(a.id) && p.contactIds.includes(b.id))).toBe(true);
    const second = await services.duplicates.audit();
    expect(second.written).toBe(0);
    expect(second.reindexed).toBe(0);
  });

  it('audits the whole table when its schedule fires', async () => {
    const report = (await handle({ schedule: 'dedup-daily-audit', scheduledTime: new Date().toISOString() })) as {
      contacts: number;
    };
    expect(report.contacts).toBeGreaterThan(0);
  });

  it('ignores updates that touch no identity field', async () => {
    const result = await handle(
      contactEvent('contact.updated', '01JZZZZZZZZZZZZZZZZZZZZZZZ', 3, ['tags', 'version', 'updatedAt']),
    );
    expect(result).toEqual({ skipped: 'no identity field changed' });
  });
});
