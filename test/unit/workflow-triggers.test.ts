import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  candidateFilter,
  causeOfChange,
  contactBefore,
  matchEventTrigger,
  mayReact,
  mayStartPeriod,
  nextAnniversary,
  periodOf,
  segmentStep,
  type ContactChange,
} from '../../shared/domain/workflow-triggers.ts';
import { compileFilter, matchesFilter } from '../../shared/domain/filter.ts';
import type { FieldDefinitionInput } from '../../shared/domain/custom-fields.ts';
import type { TimeTrigger, WorkflowTrigger } from '../../shared/domain/workflow.ts';
import { storedContact } from '../helpers/contacts.ts';

const DAY = 24 * 60 * 60 * 1000;

function change(type: string, changes: ContactChange['changes'], extra: Partial<ContactChange> = {}): ContactChange {
  const top = Object.keys(changes ?? {}).map((path) => (path.startsWith('customFields.') ? 'customFields' : path));
  return {
    type,
    eventId: 'e-1',
    version: 2,
    actor: 'key:test',
    occurredAt: '2026-06-01T12:00:00.000Z',
    changedFields: [...new Set(top)].sort(),
    ...(changes ? { changes } : {}),
    ...extra,
  };
}

const tagAdded: WorkflowTrigger = { type: 'tag_added', tag: 'vip' };

describe('event triggers', () => {
  it('fire on a tag that was added, whether by an update or at creation', () => {
    expect(matchEventTrigger(tagAdded, change('contact.updated', { tags: { from: ['a'], to: ['a', 'vip'] } }))).toBe('matched');
    expect(matchEventTrigger(tagAdded, change('contact.created', { tags: { to: ['vip'] } }))).toBe('matched');
    expect(matchEventTrigger(tagAdded, change('contact.updated', { tags: { from: ['vip'], to: ['vip', 'b'] } }))).toBe(
      'not_matched',
    );
    expect(matchEventTrigger(tagAdded, change('contact.updated', { jobTitle: { to: 'CTO' } }))).toBe('not_matched');
    expect(
      matchEventTrigger({ type: 'tag_removed', tag: 'vip' }, change('contact.updated', { tags: { from: ['vip'], to: [] } })),
    ).toBe('matched');
  });

  it('say so rather than guess when the values they need did not travel', () => {
    const truncated = change('contact.updated', { tags: { from: ['a'], to: { truncated: true } } });
    expect(matchEventTrigger(tagAdded, truncated)).toBe('undecidable');
    const omitted = change('contact.updated', {}, { changedFields: ['tags'], changesOmitted: ['tags'] });
    expect(matchEventTrigger(tagAdded, omitted)).toBe('undecidable');
    // Without from/to, that the field changed is all a field_changed trigger needs.
    expect(matchEventTrigger({ type: 'field_changed', field: 'tags' }, omitted)).toBe('matched');
  });

  it('match field changes from and to values, custom fields one by one', () => {
    const toCustomer = change('contact.updated', { lifecycleStage: { from: 'lead', to: 'customer' } });
    expect(matchEventTrigger({ type: 'lifecycle_stage_changed', to: 'customer' }, toCustomer)).toBe('matched');
    expect(matchEventTrigger({ type: 'lifecycle_stage_changed', from: 'subscriber' }, toCustomer)).toBe('not_matched');
    expect(matchEventTrigger({ type: 'field_changed', field: 'lifecycleStage', from: 'lead', to: 'customer' }, toCustomer)).toBe(
      'matched',
    );
    const tier = change('contact.updated', { 'customFields.tier': { from: 'silver', to: 'gold' } });
    expect(matchEventTrigger({ type: 'field_changed', field: 'customFields.tier', to: 'gold' }, tier)).toBe('matched');
    expect(matchEventTrigger({ type: 'field_changed', field: 'customFields.nps' }, tier)).toBe('not_matched');
  });

  it('fire contact_created on creations only', () => {
    expect(matchEventTrigger({ type: 'contact_created' }, change('contact.created', { firstName: { to: 'Ada' } }))).toBe(
      'matched',
    );
    expect(matchEventTrigger({ type: 'contact_created' }, change('contact.updated', { firstName: { to: 'Ada' } }))).toBe(
      'not_matched',
    );
  });
});

describe('the run a change asks for', () => {
  const contact = storedContact({ createdAt: '2026-01-01T00:00:00.000Z', customFields: { contractEnd: '2026-06-10' } });
  const now = new Date('2026-06-01T12:00:00.000Z');
  const tagged = change('contact.updated', { tags: { from: [], to: ['vip'] } });

  it('is the event for event triggers, the period for time triggers the change may have started', () => {
    expect(causeOfChange(tagAdded, contact, tagged, now)).toEqual({
      kind: 'event',
      eventId: 'e-1',
      eventType: 'contact.updated',
    });
    const contractEnds: WorkflowTrigger = { type: 'date_approaching', field: 'customFields.contractEnd', days: 30 };
    const renewed = change('contact.updated', { 'customFields.contractEnd': { from: '2025-06-10', to: '2026-06-10' } });
    expect(causeOfChange(contractEnds, contact, renewed, now)).toEqual({
      kind: 'period',
      key: 'date:customFields.contractEnd:2026-06-10',
      since: '2026-05-11T00:00:00.000Z',
    });
    // A tag says nothing about a contract: the schedule, not this change, decides that period.
    expect(causeOfChange(contractEnds, contact, tagged, now)).toBeUndefined();
    expect(mayReact(contractEnds, tagged)).toBe(false);
    expect(mayReact({ type: 'segment_entered', segmentId: 's' }, tagged)).toBe(true);
  });
});

describe('time triggers', () => {
  const inactive: TimeTrigger = { type: 'inactivity', days: 30 };
  const contractEnds: TimeTrigger = { type: 'date_approaching', field: 'customFields.contractEnd', days: 30 };
  const now = new Date('2026-06-01T12:00:00.000Z');

  it('count inactivity from the last interaction, or the creation when there never was one', () => {
    const quiet = storedContact({ createdAt: '2026-04-01T00:00:00.000Z' });
    expect(periodOf(inactive, quiet, now)).toEqual({
      key: 'inactivity:2026-04-01T00:00:00.000Z',
      since: '2026-05-01T00:00:00.000Z',
    });
    const talkedTo = { ...quiet, lastInteractionAt: '2026-05-20T00:00:00.000Z' };
    expect(periodOf(inactive, talkedTo, now)).toBeUndefined();
    // A new stretch after a new interaction is a new period.
    expect(periodOf(inactive, talkedTo, new Date('2026-06-20T00:00:00.000Z'))?.key).toBe('inactivity:2026-05-20T00:00:00.000Z');
  });

  it('hold a date from `days` days before it until its day is over, named by the date', () => {
    const contact = (contractEnd: string) => storedContact({ customFields: { contractEnd } });
    expect(periodOf(contractEnds, contact('2026-07-01'), now)?.key).toBe('date:customFields.contractEnd:2026-07-01');
    expect(periodOf(contractEnds, contact('2026-07-02'), now)).toBeUndefined();
    expect(periodOf(contractEnds, contact('2026-06-01'), now)).toBeDefined();
    expect(periodOf(contractEnds, contact('2026-05-31'), now)).toBeUndefined();
    // A renewed contract is a new date, so a new period.
    expect(periodOf(contractEnds, contact('2027-06-15'), new Date('2027-06-01T00:00:00Z'))?.key).toBe(
      'date:customFields.contractEnd:2027-06-15',
    );
  });

  it('come round every year for birthdays, 29 February on the 28th in other years', () => {
    const birthdays: TimeTrigger = { type: 'date_approaching', field: 'birthday', days: 7, annual: true };
    expect(periodOf(birthdays, storedContact({ birthday: '1815-06-05' }), now)?.key).toBe('date:birthday:2026-06-05');
    expect(periodOf(birthdays, storedContact({ birthday: '1815-05-30' }), now)).toBeUndefined();
    expect(nextAnniversary('2000-02-29', new Date('2027-02-01T00:00:00Z'))).toBe('2027-02-28');
    expect(nextAnniversary('2000-02-29', new Date('2028-02-01T00:00:00Z'))).toBe('2028-02-29');
    expect(nextAnniversary('1815-01-10', now)).toBe('2027-01-10');
  });

  it('are decided at once on changes that may start a period', () => {
    expect(mayStartPeriod(inactive, change('contact.updated', { lastInteractionAt: { from: 'a', to: 'b' } }))).toBe(true);
    expect(mayStartPeriod(inactive, change('contact.updated', { jobTitle: { to: 'CTO' } }))).toBe(false);
    expect(mayStartPeriod(contractEnds, change('contact.updated', { 'customFields.contractEnd': { to: '2026-06-20' } }))).toBe(
      true,
    );
    expect(mayStartPeriod(contractEnds, change('contact.updated', { status: { from: 'archived', to: 'active' } }))).toBe(true);
  });

  /**
   * The scheduled evaluation reads only the candidates the search port returns: every contact
   * whose period began in (since, now] must be among them, whatever its dates.
   */
  it('select, through the filter language, every contact whose period began since the last evaluation', () => {
    const definitions: ReadonlyMap<string, FieldDefinitionInput> = new Map([
      ['contractEnd', { key: 'contractEnd', label: 'Contract end', type: 'date', required: false }],
    ]);
    const now = new Date('2026-06-01T12:34:56.789Z');
    const ms = (days: number) => fc.integer({ min: -days * DAY, max: days * DAY });
    // Periods that begin around the last evaluation (`since`), where a selection would go wrong.
    const scenario = fc.record({
      inactivity: fc.boolean(),
      days: fc.integer({ min: 1, max: 60 }),
      gap: fc.option(fc.integer({ min: 0, max: 3 * DAY }), { nil: undefined }),
      offset: ms(4),
      interacted: fc.boolean(),
    });
    fc.assert(
      fc.property(scenario, ({ inactivity, days, gap, offset, interacted }) => {
        const since = gap === undefined ? undefined : new Date(now.getTime() - gap);
        const pivot = (since ?? now).getTime() + offset;
        let trigger: TimeTrigger;
        let contact;
        if (inactivity) {
          trigger = { type: 'inactivity', days };
          const anchor = new Date(pivot - days * DAY).toISOString();
          contact = interacted
            ? storedContact({ createdAt: '2025-01-01T00:00:00.000Z', lastInteractionAt: anchor })
            : storedContact({ createdAt: anchor });
        } else {
          trigger = { ...contractEnds, days };
          contact = storedContact({ customFields: { contractEnd: new Date(pivot + days * DAY).toISOString().slice(0, 10) } });
        }
        const period = periodOf(trigger, contact, now);
        const begun = period !== undefined && (!since || Date.parse(period.since) > since.getTime());
        const filter = compileFilter(candidateFilter(trigger, now, since), { now, definitions, defaultRegion: 'US' });
        if (begun) expect(matchesFilter(filter, contact)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('segment membership', () => {
  it('fires an entry once per entry: from out, or for a contact that did not match before the change', () => {
    expect(segmentStep(undefined, true, false)).toBe('enter');
    expect(segmentStep('out', true, true)).toBe('enter');
    expect(segmentStep('in', true, false)).toBe('none');
    expect(segmentStep('in', false, true)).toBe('leave');
    expect(segmentStep(undefined, false, true)).toBe('none');
  });

  it('settles, without firing, a member from before anyone watched', () => {
    expect(segmentStep(undefined, true, true)).toBe('settle');
    expect(segmentStep(undefined, true, 'unknown')).toBe('settle');
  });

  it('rebuilds the contact as it was before a change from the change’s old values', () => {
    const now = storedContact({ tags: ['vip'], jobTitle: 'CTO', customFields: { tier: 'gold' } });
    const before = contactBefore(
      now,
      change('contact.updated', {
        tags: { from: [], to: ['vip'] },
        jobTitle: { to: 'CTO' },
        'customFields.tier': { from: 'silver', to: 'gold' },
      }),
    );
    expect(before).toMatchObject({ image: { tags: [], customFields: { tier: 'silver' } } });
    expect(before !== 'unknown' && 'image' in before && 'jobTitle' in before.image).toBe(false);
    expect(contactBefore(now, change('contact.created', { tags: { to: ['vip'] } }))).toEqual({ new: true });
    expect(contactBefore(now, change('contact.updated', { tags: { from: { truncated: true }, to: ['vip'] } }))).toBe('unknown');
  });
});
