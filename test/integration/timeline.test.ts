import { beforeAll, describe, expect, it } from 'vitest';
import { freshServices } from '../helpers/store.ts';
import { fixedClock } from '../../shared/domain/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import { engagementAt, ENGAGEMENT_HALF_LIFE_DAYS } from '../../shared/domain/engagement.ts';
import { systemEntry } from '../../shared/domain/activity.ts';
import type { Services } from '../../shared/app/services.ts';

const clock = fixedClock('2026-03-01T12:00:00.000Z');
let services: Services;
beforeAll(async () => {
  services = await freshServices(clock);
});

const daysAgo = (days: number) => new Date(clock.now().getTime() - days * 24 * 60 * 60 * 1000).toISOString();

describe('a contact timeline on DynamoDB Local', () => {
  it('lists newest first by when things happened, not when they were logged', async () => {
    const ada = await services.contacts.create({ firstName: 'Ada' }, 'test');
    await services.timeline.log(ada.id, { kind: 'note', body: 'logged first, happened second', occurredAt: daysAgo(2) }, 'test');
    await services.timeline.log(ada.id, { kind: 'call', direction: 'out', occurredAt: daysAgo(1) }, 'test');
    await services.timeline.log(
      ada.id,
      { kind: 'email', subject: 'logged last, happened first', occurredAt: daysAgo(10) },
      'test',
    );
    const page = await services.timeline.list(ada.id, { limit: 10 });
    expect(page.results.map((a) => a.kind)).toEqual(['call', 'note', 'email']);
  });

  it('pages with cursors without losing or repeating entries', async () => {
    const c = await services.contacts.create({ firstName: 'Pager' }, 'test');
    for (let day = 0; day < 7; day++)
      await services.timeline.log(c.id, { kind: 'note', body: `day ${day}`, occurredAt: daysAgo(day) }, 'test');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await services.timeline.list(c.id, { limit: 3, cursor });
      seen.push(...page.results.map((a) => a.body!));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['day 0', 'day 1', 'day 2', 'day 3', 'day 4', 'day 5', 'day 6']);
  });

  it('moves lastInteractionAt and engagementScore through a new contact version', async () => {
    const c = await services.contacts.create({ firstName: 'Engaged' }, 'test');
    await services.timeline.log(c.id, { kind: 'note', body: 'a note is not an interaction' }, 'test');
    expect(await services.contacts.get(c.id)).toMatchObject({ version: 1 });
    expect((await services.contacts.get(c.id)).lastInteractionAt).toBeUndefined();

    await services.timeline.log(c.id, { kind: 'meeting', occurredAt: daysAgo(ENGAGEMENT_HALF_LIFE_DAYS) }, 'key:someone');
    await services.timeline.log(c.id, { kind: 'email', direction: 'out', occurredAt: daysAgo(0) }, 'key:someone');
    const after = await services.contacts.repository.require(c.id);
    expect(after.version).toBe(3);
    expect(after.updatedBy).toBe('key:someone');
    expect(after.lastInteractionAt).toBe(daysAgo(0));
    // the meeting (5) has halved once; the email (1) is fresh
    expect(engagementAt(after, clock.now())).toBe(3.5);
  });

  it('keeps every concurrent interaction in the score', async () => {
    const c = await services.contacts.create({ firstName: 'Busy' }, 'test');
    await Promise.all(Array.from({ length: 4 }, () => services.timeline.log(c.id, { kind: 'call' }, 'test')));
    const after = await services.contacts.repository.require(c.id);
    expect(after.version).toBe(5);
    expect(after.engagementScore).toBeCloseTo(12);
  });

  it('recomputes the score when an interaction is deleted or changes direction', async () => {
    const c = await services.contacts.create({ firstName: 'Edited' }, 'test');
    const call = await services.timeline.log(c.id, { kind: 'call', direction: 'out', occurredAt: daysAgo(0) }, 'test');
    const email = await services.timeline.log(c.id, { kind: 'email', direction: 'out', occurredAt: daysAgo(1) }, 'test');
    await services.timeline.update(c.id, call.id, { direction: 'in' }, 'test');
    expect((await services.contacts.repository.require(c.id)).engagementScore).toBeCloseTo(6 + 2 ** (-1 / 30), 6);
    await services.timeline.remove(c.id, call.id, 'test');
    const after = await services.contacts.repository.require(c.id);
    expect(after.lastInteractionAt).toBe(email.occurredAt);
    expect(after.engagementScore).toBeCloseTo(1, 6);
    await services.timeline.remove(c.id, email.id, 'test');
    const none = await services.contacts.repository.require(c.id);
    expect(none.lastInteractionAt).toBeUndefined();
    expect(none.engagementScore).toBeUndefined();
  });

  it('edits content with optimistic locking and keeps kind and time fixed', async () => {
    const c = await services.contacts.create({ firstName: 'Notes' }, 'test');
    const note = await services.timeline.log(c.id, { kind: 'note', body: 'first draft' }, 'test');
    const edited = await services.timeline.update(c.id, note.id, { body: 'final' }, 'editor', 1);
    expect(edited).toMatchObject({ body: 'final', version: 2, updatedBy: 'editor', createdBy: 'test' });
    await expect(services.timeline.update(c.id, note.id, { body: 'stale' }, 'editor', 1)).rejects.toMatchObject({
      currentVersion: 2,
    });
    await expect(services.timeline.update(c.id, note.id, { occurredAt: daysAgo(3) }, 'editor')).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('writes a system entry once per cause, and refuses to let anyone edit it', async () => {
    const c = await services.contacts.create({ firstName: 'Staged' }, 'test');
    const entry = systemEntry('lifecycle_stage.changed', 'Lifecycle stage changed from lead to customer', daysAgo(0), {
      from: 'lead',
      to: 'customer',
    });
    const first = await services.timeline.recordSystemEntry(c.id, entry, 'event-123');
    const again = await services.timeline.recordSystemEntry(c.id, entry, 'event-123');
    expect(again!.id).toBe(first!.id);
    expect((await services.timeline.list(c.id, { limit: 10 })).results).toHaveLength(1);
    await expect(services.timeline.update(c.id, first!.id, { body: 'x' }, 'test')).rejects.toBeInstanceOf(ConflictError);
    await expect(services.timeline.remove(c.id, first!.id, 'test')).rejects.toBeInstanceOf(ConflictError);
    expect((await services.contacts.repository.require(c.id)).version).toBe(1);
  });

  it('answers 404 for unknown contacts and activities', async () => {
    await expect(services.timeline.log('01J00000000000000000000000', { kind: 'note' }, 'test')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const c = await services.contacts.create({ firstName: 'Nobody' }, 'test');
    await expect(services.timeline.get(c.id, '01J00000000000000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });
});
