import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  chainOf,
  normalizeWorkflow,
  patchWorkflow,
  renderTemplate,
  roundRobinOwner,
  runDepthFor,
  runExpiresAt,
  runKey,
  workflowActor,
  workflowFieldErrors,
  type Workflow,
  type WorkflowFields,
} from '../../shared/domain/workflow.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { LIMITS } from '../../shared/domain/limits.ts';
import type { FieldDefinitionInput } from '../../shared/domain/custom-fields.ts';
import { newId } from '../../shared/domain/ids.ts';
import { email, storedContact } from '../helpers/contacts.ts';

const definitions: ReadonlyMap<string, FieldDefinitionInput> = new Map([
  ['contractEnd', { key: 'contractEnd', label: 'Contract end', type: 'date', required: false }],
  ['tier', { key: 'tier', label: 'Tier', type: 'enum', options: ['gold', 'silver'], required: true }],
  ['nps', { key: 'nps', label: 'NPS', type: 'number', required: false }],
]);
const rules = { definitions, defaultRegion: 'GB' as const };
const context = { ...rules, now: new Date('2026-06-01T12:00:00Z') };

const valid = {
  name: 'Follow up high potentials',
  trigger: { type: 'tag_added', tag: 'High-Potential ' },
  actions: [{ type: 'create_task', title: 'Call {{firstName}}', dueInDays: 2, assignee: 'owner' }],
};

function problems(input: unknown): string[] {
  try {
    return workflowFieldErrors(normalizeWorkflow(input), rules, context).map((e) => e.path);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.errors.map((e) => e.path);
  }
}

function stored(fields: WorkflowFields): Workflow {
  return {
    ...fields,
    id: newId(),
    secret: 'whsec_x',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'key:test',
    updatedBy: 'key:test',
  };
}

describe('a workflow definition', () => {
  it('is normalized: tags lower-cased, enabled by default, birthdays yearly', () => {
    const workflow = normalizeWorkflow(valid);
    expect(workflow.trigger).toEqual({ type: 'tag_added', tag: 'high-potential' });
    expect(workflow.enabled).toBe(true);
    const birthdays = normalizeWorkflow({ ...valid, trigger: { type: 'date_approaching', field: 'birthday', days: 7 } });
    expect(birthdays.trigger).toEqual({ type: 'date_approaching', field: 'birthday', days: 7, annual: true });
  });

  it('names every structural problem by its path', () => {
    expect(
      problems({
        name: '',
        trigger: { type: 'inactivity', days: 0 },
        conditions: { and: [{ field: 'tags', op: 'has', value: 'x' }] },
        actions: [{ type: 'create_task', title: 'x', dueInDays: -1, assignee: 'owner' }, { type: 'teleport' }],
      }).sort(),
    ).toEqual(['actions[0].dueInDays', 'actions[1].type', 'conditions.and[0].op', 'name', 'trigger.days'].sort());
  });

  it('refuses fields the contact does not have, values the field would refuse, and unknown placeholders', () => {
    expect(
      problems({
        ...valid,
        trigger: { type: 'field_changed', field: 'customFields.nope', to: 'x' },
        conditions: { field: 'customFields.gone', op: 'exists' },
        actions: [
          { type: 'set_field', field: 'lifecycleStage', value: 'boss' },
          { type: 'set_field', field: 'customFields.nps', value: 'high' },
          { type: 'set_field', field: 'emails', value: [] },
          { type: 'set_field', field: 'customFields.tier', value: null },
          { type: 'log_activity', kind: 'note', text: 'Hello {{nickName}}' },
          { type: 'create_task', title: 'x', dueInDays: 1, remindInDays: 3, assignee: 'owner' },
        ],
      }),
    ).toEqual([
      'trigger.field',
      'conditions.field',
      'actions[0].value',
      'actions[1].value',
      'actions[2].field',
      'actions[3].value',
      'actions[4].text',
      'actions[5].remindInDays',
    ]);
  });

  it('accepts a date trigger only on birthday or a date custom field, and from/to only on single values', () => {
    expect(problems({ ...valid, trigger: { type: 'date_approaching', field: 'customFields.nps', days: 3 } })).toEqual([
      'trigger.field',
    ]);
    expect(problems({ ...valid, trigger: { type: 'date_approaching', field: 'customFields.contractEnd', days: 30 } })).toEqual(
      [],
    );
    expect(problems({ ...valid, trigger: { type: 'field_changed', field: 'tags', to: 'vip' } })).toEqual(['trigger.to']);
    expect(
      problems({ ...valid, trigger: { type: 'field_changed', field: 'customFields.tier', from: 'gold', to: 'silver' } }),
    ).toEqual([]);
  });

  it('is patched like JSON merge patch, with the trigger and the conditions replaced whole', () => {
    const current = stored(normalizeWorkflow({ ...valid, conditions: { field: 'tags', op: 'contains', value: 'vip' } }));
    const moved = patchWorkflow(current, { trigger: { type: 'inactivity', days: 30 }, enabled: false });
    expect(moved.trigger).toEqual({ type: 'inactivity', days: 30 });
    expect(moved.enabled).toBe(false);
    expect(moved.conditions).toEqual(current.conditions);
    expect(patchWorkflow(current, { conditions: null }).conditions).toBeUndefined();
    expect(() => patchWorkflow(current, { secret: 'mine', version: 9 })).toThrow(ValidationError);
  });
});

describe('what actions write', () => {
  it('fills placeholders from the contact, leaving nothing behind for missing values', () => {
    const ada = storedContact({ firstName: 'Ada', emails: [email('ada@example.com')], customFields: { tier: 'gold' } });
    expect(renderTemplate('Call {{ firstName }} ({{email}}, {{customFields.tier}}) {{jobTitle}}', ada)).toBe(
      'Call Ada (ada@example.com, gold)',
    );
  });

  it('hands out round-robin owners in turn, for ever', () => {
    const owners = ['rep-1', 'rep-2', 'rep-3'];
    expect([0, 1, 2, 3, 4].map((turn) => roundRobinOwner(owners, turn))).toEqual(['rep-1', 'rep-2', 'rep-3', 'rep-1', 'rep-2']);
  });
});

describe('chains of workflows', () => {
  const a = newId();
  const b = newId();

  it('writes as workflow:<id>, with the depth when another workflow set the run off', () => {
    expect(workflowActor(a, 1)).toBe(`workflow:${a}`);
    expect(chainOf(workflowActor(a, 1))).toEqual({ workflowId: a, depth: 1 });
    expect(chainOf(workflowActor(b, 3))).toEqual({ workflowId: b, depth: 3 });
    expect(chainOf('key:01J00000000000000000000000')).toBeUndefined();
    expect(chainOf(`workflow:${a}:x`)).toBeUndefined();
  });

  it('never lets a workflow react to its own writes, and stops every chain at the depth limit', () => {
    expect(runDepthFor(a, 'key:someone')).toEqual({ depth: 1 });
    expect(runDepthFor(a, workflowActor(a, 1))).toEqual({ refused: 'own_write' });
    expect(runDepthFor(a, workflowActor(b, 1))).toEqual({ depth: 2 });
    expect(runDepthFor(a, workflowActor(b, LIMITS.maxWorkflowChainDepth))).toEqual({ refused: 'chain_too_long' });
  });

  it('bounds any cycle of workflows that set each other off', () => {
    const ids = Array.from({ length: 4 }, () => newId());
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: ids.length - 1 }), { minLength: 1, maxLength: 50 }), (order) => {
        // Each step: the next workflow in `order` reacts to the write of the run before it.
        let actor = 'key:person';
        let runs = 0;
        for (const next of order) {
          const permit = runDepthFor(ids[next]!, actor);
          if ('refused' in permit) break;
          runs++;
          actor = workflowActor(ids[next]!, permit.depth);
        }
        expect(runs).toBeLessThanOrEqual(LIMITS.maxWorkflowChainDepth);
      }),
    );
  });
});

describe('runs', () => {
  it('are named by their cause', () => {
    expect(runKey({ kind: 'event', eventId: 'e-1', eventType: 'contact.updated' })).toBe('event:e-1');
    expect(runKey({ kind: 'segment', segmentId: 's', contactVersion: 4 })).toBe('segment:s:4');
    expect(runKey({ kind: 'period', key: 'inactivity:2026-01-01T00:00:00.000Z', since: '2026-01-31T00:00:00.000Z' })).toBe(
      'inactivity:2026-01-01T00:00:00.000Z',
    );
  });

  it('expire once nothing can start them again, and never while a period can hold', () => {
    const startedAt = '2026-01-01T00:00:00.000Z';
    const day = 24 * 60 * 60;
    const started = Date.parse(startedAt) / 1000;
    expect(runExpiresAt({ startedAt, cause: { kind: 'event', eventId: 'e', eventType: 'contact.created' } })).toBe(
      started + LIMITS.workflowEventRunRetentionDays * day,
    );
    expect(
      runExpiresAt({ startedAt, cause: { kind: 'period', key: 'date:customFields.contractEnd:2026-03-01', since: startedAt } }),
    ).toBe(Date.parse('2026-03-01T00:00:00Z') / 1000 + LIMITS.workflowEventRunRetentionDays * day);
    expect(
      runExpiresAt({ startedAt, cause: { kind: 'period', key: `inactivity:${startedAt}`, since: startedAt } }),
    ).toBeUndefined();
  });
});
