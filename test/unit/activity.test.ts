import { describe, expect, it } from 'vitest';
import { normalizeActivity, patchActivity, type Activity } from '../../shared/domain/activity.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { idFor, idAt } from '../../shared/domain/ids.ts';
import { decodeTime } from 'ulid';

const now = new Date('2026-03-01T12:00:00.000Z');

function pathsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors.map((e) => e.path).sort();
    throw error;
  }
  return [];
}

describe('logging an activity', () => {
  it('normalizes the time to UTC and defaults it to now', () => {
    expect(normalizeActivity({ kind: 'note', body: 'hi' }, now).occurredAt).toBe(now.toISOString());
    expect(normalizeActivity({ kind: 'call', occurredAt: '2026-02-28T10:00:00+02:00' }, now).occurredAt).toBe(
      '2026-02-28T08:00:00.000Z',
    );
  });

  it('refuses activities in the future beyond clock skew', () => {
    expect(pathsOf(() => normalizeActivity({ kind: 'meeting', occurredAt: '2026-03-02T12:00:00Z' }, now))).toEqual([
      'occurredAt',
    ]);
    expect(() => normalizeActivity({ kind: 'meeting', occurredAt: '2026-03-01T12:01:00Z' }, now)).not.toThrow();
  });

  it('refuses a direction on a note and a duration on an email, naming both', () => {
    expect(pathsOf(() => normalizeActivity({ kind: 'note', direction: 'in' }, now))).toEqual(['direction']);
    expect(pathsOf(() => normalizeActivity({ kind: 'email', durationSeconds: 30 }, now))).toEqual(['durationSeconds']);
  });

  it('refuses system entries from clients', () => {
    expect(pathsOf(() => normalizeActivity({ kind: 'system' }, now))).toEqual(['kind']);
  });

  it('accepts contacts and free-form people as participants', () => {
    const activity = normalizeActivity(
      {
        kind: 'meeting',
        participants: [{ contactId: '01J00000000000000000000000' }, { name: ' Grace  Hopper ', email: 'grace@navy.mil' }],
      },
      now,
    );
    expect(activity.participants).toHaveLength(2);
    expect(pathsOf(() => normalizeActivity({ kind: 'meeting', participants: [{ contactId: 'x' }] }, now))).not.toEqual([]);
  });

  it('keeps kind and time fixed on edit', () => {
    const current = { ...normalizeActivity({ kind: 'call', direction: 'out' }, now), id: 'x' } as Activity;
    expect(pathsOf(() => patchActivity(current, { occurredAt: now.toISOString(), kind: 'email' }))).toEqual([
      'kind',
      'occurredAt',
    ]);
    expect(patchActivity(current, { outcome: 'connected', direction: null })).toMatchObject({
      outcome: 'connected',
      kind: 'call',
    });
    expect(patchActivity(current, { direction: null }).direction).toBeUndefined();
  });
});

describe('activity ids', () => {
  it('carry the time the activity happened, even far in the past', () => {
    const at = Date.parse('2019-05-04T03:02:01.000Z');
    expect(decodeTime(idAt(at))).toBe(at);
    expect(idAt(at) < idAt(at + 1)).toBe(true);
  });

  it('are the same for the same cause, and differ between causes', () => {
    const at = Date.parse('2026-01-01T00:00:00.000Z');
    expect(idFor(at, 'event-1')).toBe(idFor(at, 'event-1'));
    expect(idFor(at, 'event-1')).not.toBe(idFor(at, 'event-2'));
    expect(decodeTime(idFor(at, 'event-1'))).toBe(at);
    expect(idFor(at, 'x')).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
