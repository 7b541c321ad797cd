import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DynamoDBRecord } from 'aws-lambda';
import { translateRecord, translateRecords } from '../../shared/events/translator.ts';
import { ENTITY_EVENTS } from '../../shared/events/entity-events.ts';
import { TRUNCATED, type BusEntry } from '../../shared/events/types.ts';
import { LIMITS } from '../../shared/domain/limits.ts';
import { changeStream } from '../../infra/topology.ts';
import { envelopeOf } from '../../infra/local/event-bus.ts';
import { create as createStreamPublisher } from '../../functions/stream-publisher/app.ts';
import { lambdaContext } from '../../infra/local/lambda.ts';

/** Records captured from DynamoDB Local by test/fixtures/capture-stream-records.ts. */
const captured = JSON.parse(readFileSync(new URL('../fixtures/stream-records.json', import.meta.url), 'utf8')) as Record<
  string,
  DynamoDBRecord[]
>;

function recordsOf(scenario: string): DynamoDBRecord[] {
  const records = captured[scenario];
  if (!records) throw new Error(`No captured scenario "${scenario}"`);
  return records;
}

/** The one event a scenario's writes produced. */
function eventOf(scenario: string): BusEntry {
  const { entries } = translateRecords(recordsOf(scenario));
  expect(entries, scenario).toHaveLength(1);
  return entries[0]!;
}

describe('the stream translator, on records captured from DynamoDB Local', () => {
  it('turns a new contact into contact.created naming the fields it was created with', () => {
    const event = eventOf('contact created');
    expect(event).toMatchObject({ source: 'kith', 'detail-type': 'contact.created' });
    expect(event.detail).toMatchObject({
      entity: 'contact',
      version: 1,
      actor: 'key:01JCAPTURE0000000000000000',
      occurredAt: '2026-03-02T09:01:00.000Z',
      changedFields: ['customFields', 'emails', 'firstName', 'lastName', 'lifecycleStage', 'phones', 'status', 'tags'],
    });
    expect(event.detail.data?.changes?.firstName).toEqual({ to: 'Ada' });
    expect(event.time).toBe(event.detail.occurredAt);
  });

  it('names only the fields an update changed, never version, timestamps, derived or key attributes', () => {
    const { detail } = eventOf('contact updated');
    expect(detail.changedFields).toEqual(['customFields', 'jobTitle']);
    expect(detail.version).toBe(2);
    expect(detail.data?.changes).toEqual({
      jobTitle: { to: 'Analyst' },
      'customFields.tier': { from: 'gold', to: 'platinum' },
      'customFields.seats': { to: 12 },
    });
  });

  it('reports a removed custom field with its old value only', () => {
    expect(eventOf('contact custom field removed').detail.data?.changes).toEqual({ 'customFields.seats': { from: 12 } });
  });

  it('puts a lifecycle stage change into data.from and data.to', () => {
    const event = eventOf('contact stage changed');
    expect(event['detail-type']).toBe('contact.updated');
    expect(event.detail.changedFields).toEqual(['lifecycleStage']);
    expect(event.detail.data).toMatchObject({ from: 'lead', to: 'customer' });
  });

  it('gives status transitions their own names', () => {
    expect(eventOf('contact archived')['detail-type']).toBe('contact.archived');
    expect(eventOf('contact restored')['detail-type']).toBe('contact.restored');
    expect(eventOf('company archived')['detail-type']).toBe('company.archived');
  });

  it('publishes a merge as the survivor updated and the loser merged, and nothing for its bookkeeping items', () => {
    const { entries, skipped } = translateRecords(recordsOf('contact merged'));
    expect(entries.map((e) => e['detail-type'])).toEqual(['contact.updated', 'contact.merged']);
    const [survivor, loser] = entries as [BusEntry, BusEntry];
    expect(loser.detail).toMatchObject({
      actor: 'system:merge',
      changedFields: expect.arrayContaining(['mergedInto', 'status']),
    });
    expect(loser.detail.data?.mergedInto).toBe(survivor.detail.id);
    expect(skipped).toHaveLength(12);
  });

  it('still publishes a save that changed nothing, with no changed fields', () => {
    const { detail } = eventOf('contact saved unchanged');
    expect(detail.changedFields).toEqual([]);
    expect(detail.data?.changes).toEqual({});
  });

  it('publishes a primary email change once, without the claim items written in the same transaction', () => {
    expect(recordsOf('contact primary email changed')).toHaveLength(3);
    expect(eventOf('contact primary email changed').detail.changedFields).toEqual(['emails']);
  });

  it('publishes a deletion at the last version + 1, so it orders after every update', () => {
    const deleted = recordsOf('contact deleted')[0]!;
    const event = eventOf('contact deleted');
    expect(event['detail-type']).toBe('contact.deleted');
    expect(event.detail.version).toBe(Number(deleted.dynamodb!.OldImage!.version!.N) + 1);
    expect(event.detail.actor).toBe('unknown');
  });

  it('attributes a TTL deletion to system:ttl', () => {
    const record = {
      ...recordsOf('contact deleted')[0]!,
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    };
    const event = translateRecord(record) as BusEntry;
    expect(event.detail.actor).toBe('system:ttl');
  });

  it('publishes companies like contacts', () => {
    const event = eventOf('company updated');
    expect(event['detail-type']).toBe('company.updated');
    expect(event.detail.data?.changes).toEqual({ employees: { to: 12 }, industry: { from: 'Computing', to: 'Machinery' } });
  });

  it.each(['field definitions', 'api key registered and used', 'idempotency record', 'history entry written'])(
    'publishes nothing for %s',
    (scenario) => {
      const { entries, skipped } = translateRecords(recordsOf(scenario));
      expect(entries).toEqual([]);
      expect(skipped.every((s) => s.skipped === 'not_an_entity')).toBe(true);
    },
  );

  it('publishes a contact that joins a company, but not the membership item', () => {
    const { entries, skipped } = translateRecords(recordsOf('contact joined a company'));
    expect(entries.map((e) => e['detail-type'])).toEqual(['company.created', 'contact.created']);
    expect(skipped).toHaveLength(1);
  });

  it('turns a task whose remindedAt appears into task.reminder_due', () => {
    expect(eventOf('task created')['detail-type']).toBe('task.created');
    const due = eventOf('task reminder due');
    expect(due['detail-type']).toBe('task.reminder_due');
    expect(due.detail).toMatchObject({ version: 2, actor: 'system:reminders', changedFields: ['remindedAt'] });
    expect(due.detail.data).toBeUndefined();
  });

  it('derives eventId from the record, so a redelivered record is the same event', () => {
    const record = recordsOf('contact updated')[0]!;
    const first = translateRecord(record) as BusEntry;
    const again = translateRecord(structuredClone(record)) as BusEntry;
    expect(first.detail.eventId).toBe(record.eventID);
    expect(again).toEqual(first);
  });

  it('skips an entity item without a version as malformed instead of failing the batch', () => {
    const { entries, skipped } = translateRecords(recordsOf('contact item without a version'));
    expect(entries).toEqual([]);
    expect(skipped).toEqual([{ skipped: 'malformed', eventId: recordsOf('contact item without a version')[0]!.eventID }]);
  });

  it('keeps stream order across a batch', () => {
    const batch = ['contact updated', 'contact stage changed', 'contact archived', 'contact restored'].flatMap(recordsOf);
    expect(translateRecords(batch).entries.map((e) => e.detail.version)).toEqual([2, 3, 7, 8]);
  });

  it('lets a new named transition be added as data', () => {
    const registry = {
      ...ENTITY_EVENTS,
      contact: {
        ...ENTITY_EVENTS.contact!,
        transitions: [{ type: 'contact.stage_changed' as const, when: { field: 'lifecycleStage', becomes: 'customer' } }],
      },
    };
    const event = translateRecord(recordsOf('contact stage changed')[0]!, registry) as BusEntry;
    expect(event['detail-type']).toBe('contact.stage_changed');
  });
});

describe('event size', () => {
  const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

  it('replaces a value over 1 KB with { truncated: true }, keeping the field', () => {
    const { detail } = eventOf('contact with values over the value cap');
    expect(detail.data?.changes?.['customFields.note0']).toEqual({ from: TRUNCATED, to: TRUNCATED });
    expect(Object.keys(detail.data?.changes ?? {})).toHaveLength(3);
  });

  it('keeps all changes within their budget and names the ones left out', () => {
    const { detail } = eventOf('contact with changes over the event budget');
    const kept = Object.keys(detail.data?.changes ?? {});
    const omitted = detail.data?.changesOmitted ?? [];
    expect(kept.length).toBeGreaterThan(0);
    expect(omitted.length).toBeGreaterThan(0);
    expect(kept.length + omitted.length).toBe(60);
    expect(bytes(detail.data?.changes)).toBeLessThanOrEqual(LIMITS.eventChangesMaxBytes);
    expect(detail.changedFields).toEqual(['customFields']);
  });

  it('keeps every captured event, in its envelope, far under the EventBridge limit', () => {
    for (const [scenario, records] of Object.entries(captured)) {
      for (const entry of translateRecords(records).entries) {
        expect(bytes(envelopeOf(entry)), scenario).toBeLessThan(LIMITS.eventMaxBytes / 4);
      }
    }
  });

  it('keeps a full Pipe batch of the largest events under the 6 MB enrichment response limit', () => {
    const largest = bytes(eventOf('contact with changes over the event budget'));
    expect(largest * changeStream.batchSize).toBeLessThan(6 * 1024 * 1024);
  });
});

describe('the translator on arbitrary records', () => {
  const attribute: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.record({ S: fc.string() }),
      fc.record({ N: fc.oneof(fc.integer().map(String), fc.string()) }),
      fc.record({ BOOL: fc.boolean() }),
      fc.constant({ NULL: true }),
      fc.record({ SS: fc.array(fc.string()) }),
      fc.record({ L: fc.array(tie('value'), { maxLength: 3 }) }),
      fc.record({ M: fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }) }),
      fc.constant({}),
    ),
  })).value;
  const image = fc.dictionary(
    fc.constantFrom('entityType', 'id', 'version', 'updatedAt', 'status', 'x', 'customFields'),
    attribute,
  );

  it('never throws, whatever a record holds', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            eventID: fc.string(),
            eventName: fc.constantFrom('INSERT', 'MODIFY', 'REMOVE', 'OTHER'),
            dynamodb: fc.record({ NewImage: image, OldImage: image }, { requiredKeys: [] }),
          },
          { requiredKeys: [] },
        ),
        (record) => {
          translateRecord(record as DynamoDBRecord);
        },
      ),
    );
  });
});

describe('the stream-publisher function', () => {
  it('returns the bus entries of a batch, in order, and nothing for other items', async () => {
    const handler = createStreamPublisher();
    const batch = ['contact created', 'contact primary email changed', 'idempotency record', 'company created'].flatMap(
      recordsOf,
    );
    const entries = (await handler(batch, lambdaContext('stream-publisher'))) as BusEntry[];
    expect(entries.map((e) => e['detail-type'])).toEqual(['contact.created', 'contact.updated', 'company.created']);
  });
});
