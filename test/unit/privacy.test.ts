import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { translateRecord } from '../../shared/events/translator.ts';
import { csvCells, csvLine, csvRecords } from '../../shared/domain/csv.ts';
import { identityCandidatesIn, PersonMatcher } from '../../shared/domain/erasure.ts';
import { consentSubject, normalizeConsentChange } from '../../shared/domain/consent.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { normalizeContact } from '../../shared/domain/contact.ts';
import { compileFilter, matchesFilter } from '../../shared/domain/filter.ts';
import { storedContact } from '../helpers/contacts.ts';

const ID = '01JERASED00000000000000000';

function streamRecord(eventName: 'MODIFY' | 'REMOVE', oldImage: object, newImage?: object): DynamoDBRecord {
  return {
    eventID: 'e-1',
    eventName,
    dynamodb: {
      OldImage: marshall(oldImage, { removeUndefinedValues: true }) as never,
      ...(newImage ? { NewImage: marshall(newImage, { removeUndefinedValues: true }) as never } : {}),
      ApproximateCreationDateTime: 1_800_000_000,
    },
  };
}

const person = {
  pk: `CONTACT#${ID}`,
  sk: 'PROFILE',
  entityType: 'contact',
  id: ID,
  version: 4,
  status: 'active',
  firstName: 'Ada',
  lifecycleStage: 'customer',
  emails: [{ address: 'ada@example.com', primary: true }],
  customFields: { tier: 'gold' },
  updatedAt: '2026-03-01T00:00:00.000Z',
  updatedBy: 'key:someone',
};
const tombstone = {
  pk: `CONTACT#${ID}`,
  sk: 'PROFILE',
  entityType: 'contact',
  id: ID,
  version: 5,
  status: 'erased',
  erasureId: ID,
  erasedAt: '2026-03-02T00:00:00.000Z',
  erasedBy: 'key:admin',
  updatedAt: '2026-03-02T00:00:00.000Z',
  updatedBy: 'key:admin',
};

describe('events about an erased person', () => {
  it('publish the erasure as contact.erased, with no value of what the record held', () => {
    const event = translateRecord(streamRecord('MODIFY', person, tombstone));
    expect(event).toMatchObject({
      'detail-type': 'contact.erased',
      detail: { id: ID, version: 5, actor: 'key:admin', changedFields: ['status'] },
    });
    expect('data' in (event as { detail: object }).detail).toBe(false);
    expect(JSON.stringify(event)).not.toMatch(/Ada|ada@example|gold|customer/);
  });

  it('carry no values later either (the tombstone deleted)', () => {
    const event = translateRecord(streamRecord('REMOVE', tombstone));
    expect(event).toMatchObject({ 'detail-type': 'contact.deleted', detail: { id: ID, changedFields: [] } });
    expect('data' in (event as { detail: object }).detail).toBe(false);
  });
});

describe('recognising an erased person without their values', () => {
  const salt = Buffer.from('00'.repeat(32), 'hex');
  const hash = async (identities: readonly string[]) =>
    identities.map((identity) => createHmac('sha256', salt).update(identity).digest('hex'));

  it('by id, or by an email or phone in free text that hashes to theirs', async () => {
    const matcher = new PersonMatcher({
      erasure: { contactIds: [ID], identityHashes: await hash(['email:ada@example.com', 'phone:+14155550199']) },
      hash,
      defaultRegion: 'US',
    });
    expect(await matcher.mentionedIn(`matches existing contact ${ID}; skipped`)).toBe(true);
    expect(await matcher.mentionedIn('matches 01JOTHER (email ADA@Example.com)')).toBe(true);
    expect(await matcher.mentionedIn('call (415) 555-0199 tomorrow')).toBe(true);
    expect(await matcher.mentionedIn('grace@example.com, +1 415 555 0100')).toBe(false);
    expect(await matcher.isPerson({ emails: [{ address: 'ada@example.com', primary: true }] })).toBe(true);
    expect(await matcher.isPerson({ phones: [{ number: '+14155550100', primary: true }] })).toBe(false);
  });

  it('finds emails and phones in text the way contacts store them', () => {
    expect(identityCandidatesIn('Ada <ADA@example.com>; +44 20 7123 4567', 'US').sort()).toEqual([
      'email:ada@example.com',
      'phone:+442071234567',
    ]);
  });
});

describe('CSV records of files Kith wrote', () => {
  it('split and read back exactly, quoted line breaks and quotes included, however the text is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', 'é', ' ') }), { minLength: 1, maxLength: 4 }),
          {
            maxLength: 6,
          },
        ),
        fc.integer({ min: 1, max: 7 }),
        async (rows, chunkSize) => {
          const lines = rows.map((cells) => csvLine(cells, { neutralize: false }));
          const text = lines.join('');
          async function* chunks() {
            for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
          }
          const records: string[] = [];
          for await (const record of csvRecords(chunks())) records.push(record);
          expect(records).toEqual(lines);
          expect(records.map(csvCells)).toEqual(rows);
        },
      ),
    );
  });
});

describe('consent', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('takes a known channel and status, a source, and a time that is not in the future', () => {
    expect(normalizeConsentChange({ channel: 'email', status: 'granted', source: ' web-form ' }, now)).toEqual({
      channel: 'email',
      status: 'granted',
      source: 'web-form',
      at: '2026-03-01T12:00:00.000Z',
    });
    const refused = (input: unknown) => {
      try {
        normalizeConsentChange(input, now);
      } catch (error) {
        return (error as ValidationError).errors.map((e) => e.path);
      }
      return [];
    };
    expect(refused({ channel: 'fax', status: 'granted', source: 'x' })).toEqual(['channel']);
    expect(refused({ channel: 'email', status: 'maybe', source: 'x' })).toEqual(['status']);
    expect(refused({ channel: 'email', status: 'granted' })).toEqual(['source']);
    expect(refused({ channel: 'email', status: 'granted', source: 'x', at: '2026-03-02T00:00:00Z' })).toEqual(['at']);
    expect(consentSubject('sms', 'withdrawn', 'unsubscribe-link')).toBe('SMS consent withdrawn (unsubscribe-link)');
  });

  it('is a closed set of channels on the contact too', () => {
    expect(() => normalizeContact({ firstName: 'A', consent: { carrier_pigeon: { status: 'granted' } } }, rules)).toThrow(
      ValidationError,
    );
  });

  it('filters as consent.<channel>.status and consent.<channel>.at', () => {
    const context = { now, definitions: new Map(), defaultRegion: 'US' as const };
    const granted = storedContact({ consent: { email: { status: 'granted', at: '2026-02-01T00:00:00Z', source: 'form' } } });
    const none = storedContact();
    const filter = compileFilter({ field: 'consent.email.status', op: 'eq', value: 'granted' }, context);
    expect([granted, none].filter((c) => matchesFilter(filter, c)).map((c) => c.id)).toEqual([granted.id]);
    const recent = compileFilter({ field: 'consent.email.at', op: 'gt', value: 'now-90d' }, context);
    expect(matchesFilter(recent, granted)).toBe(true);
    expect(() => compileFilter({ field: 'consent.email.status', op: 'eq', value: 'perhaps' }, context)).toThrow(ValidationError);
  });
});

const rules = { definitions: new Map(), defaultRegion: 'US' as const };
