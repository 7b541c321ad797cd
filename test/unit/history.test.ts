import { describe, expect, it } from 'vitest';
import { historyEntryOf } from '../../shared/app/history.ts';
import { idFor } from '../../shared/domain/ids.ts';
import type { KithEvent } from '../../shared/events/types.ts';

function event(type: string, detail: Partial<KithEvent['detail']> = {}): KithEvent {
  return {
    version: '0',
    id: 'envelope',
    'detail-type': type as KithEvent['detail-type'],
    source: 'kith',
    account: '000000000000',
    time: '2026-03-02T09:00:00.000Z',
    region: 'local',
    resources: [],
    detail: {
      eventId: 'e1',
      entity: 'contact',
      id: '01JCONTACT0000000000000000',
      version: 4,
      changedFields: ['jobTitle'],
      actor: 'key:01J',
      occurredAt: '2026-03-02T09:00:00.000Z',
      data: { changes: { jobTitle: { from: 'Analyst', to: 'CTO' }, 'customFields.tier': { to: 'gold' } } },
      ...detail,
    },
  };
}

describe('what field history keeps of an event', () => {
  it('keeps who changed which fields from what to what, fields in name order', () => {
    expect(historyEntryOf(event('contact.updated'))).toEqual({
      entity: 'contact',
      entityId: '01JCONTACT0000000000000000',
      version: 4,
      eventId: 'e1',
      event: 'contact.updated',
      actor: 'key:01J',
      occurredAt: '2026-03-02T09:00:00.000Z',
      changes: [
        { field: 'customFields.tier', to: 'gold' },
        { field: 'jobTitle', from: 'Analyst', to: 'CTO' },
      ],
    });
  });

  it('keeps the names of changes too large to travel', () => {
    const entry = historyEntryOf(event('contact.updated', { data: { changes: {}, changesOmitted: ['customFields.notes'] } }));
    expect(entry).toMatchObject({ changes: [], changesOmitted: ['customFields.notes'] });
  });

  it('keeps nothing of a deletion, of a write that changed nothing, or of other entities', () => {
    expect(historyEntryOf(event('contact.deleted'))).toBeUndefined();
    expect(historyEntryOf(event('contact.updated', { changedFields: [], data: { changes: {} } }))).toBeUndefined();
    expect(historyEntryOf(event('task.reminder_due', { entity: 'task', data: undefined }))).toBeUndefined();
  });

  it('refuses what is not a domain event, so the delivery fails and is dead-lettered', () => {
    expect(() => historyEntryOf({ hello: 'world' } as unknown as KithEvent)).toThrow();
    expect(() => historyEntryOf(event('contact.updated', { version: -1 }))).toThrow();
    expect(() => historyEntryOf(event('contact.updated', { occurredAt: 'yesterday' }))).toThrow();
  });
});

describe('ids derived from a change', () => {
  it('are the same for the same change and sort by time', () => {
    const at = Date.parse('2026-03-02T09:00:00.000Z');
    expect(idFor(at, 'contact#A#3')).toBe(idFor(at, 'contact#A#3'));
    expect(idFor(at, 'contact#A#3')).not.toBe(idFor(at, 'contact#B#3'));
    expect(idFor(at, 'contact#Z#9') < idFor(at + 1, 'contact#A#1')).toBe(true);
    expect(idFor(at, 'x')).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
