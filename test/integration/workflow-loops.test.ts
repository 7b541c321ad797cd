import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';
import { LIMITS } from '../../shared/domain/limits.ts';
import type { WorkflowRunView } from '../../shared/app/workflows.ts';

/**
 * Workflows whose writes set each other off, on the whole local runtime: every write goes
 * through the change stream and the bus back into the engine, as in AWS. `drain()` throws when
 * the pipeline does not settle, so a loop fails these tests rather than hanging them.
 */
const ACTOR = 'key:01JTEST0000000000000000000';
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

const services = () => api.runtime.services;

async function workflow(name: string, trigger: unknown, actions: unknown[]) {
  return services().workflows.create({ name, trigger, actions }, ACTOR);
}

async function runsOf(workflowId: string): Promise<WorkflowRunView[]> {
  return (await services().workflows.runsOf(workflowId, { limit: 100 })).results;
}

describe('workflows that set each other off', () => {
  it('terminates vip → vip2 → vip with one run each', async () => {
    const first = await workflow('vip → vip2', { type: 'tag_added', tag: 'vip' }, [{ type: 'add_tag', tag: 'vip2' }]);
    const second = await workflow('vip2 → vip', { type: 'tag_added', tag: 'vip2' }, [{ type: 'add_tag', tag: 'vip' }]);
    const contact = await services().contacts.create({ firstName: 'Ada' }, ACTOR);
    await services().contacts.tag(contact.id, { add: ['vip'] }, ACTOR);
    await api.runtime.pipeline.drain();

    expect((await runsOf(first.id)).map((run) => [run.depth, run.outcomes[0]!.status])).toEqual([[1, 'ok']]);
    // The second adds vip back: it is there already, so nothing is written and nothing follows.
    expect((await runsOf(second.id)).map((run) => [run.depth, run.outcomes[0]!.status])).toEqual([[2, 'skipped']]);
    expect((await services().contacts.get(contact.id)).tags.sort()).toEqual(['vip', 'vip2']);
  });

  it('stops a ping-pong that would never end on its own at the chain depth limit', async () => {
    const ping = await workflow('ping', { type: 'tag_added', tag: 'ping' }, [
      { type: 'remove_tag', tag: 'ping' },
      { type: 'add_tag', tag: 'pong' },
    ]);
    const pong = await workflow('pong', { type: 'tag_added', tag: 'pong' }, [
      { type: 'remove_tag', tag: 'pong' },
      { type: 'add_tag', tag: 'ping' },
    ]);
    const contact = await services().contacts.create({ firstName: 'Grace' }, ACTOR);
    await services().contacts.tag(contact.id, { add: ['ping'] }, ACTOR);
    await api.runtime.pipeline.drain();

    const depths = [...(await runsOf(ping.id)), ...(await runsOf(pong.id))].map((run) => run.depth).sort();
    expect(depths).toEqual(Array.from({ length: LIMITS.maxWorkflowChainDepth }, (_, i) => i + 1));
    const updatedBy = (await services().contacts.get(contact.id)).updatedBy;
    expect(updatedBy).toBe(
      `workflow:${LIMITS.maxWorkflowChainDepth % 2 === 1 ? ping.id : pong.id}:${LIMITS.maxWorkflowChainDepth}`,
    );
  });

  it('never lets a workflow react to its own write', async () => {
    const stamp = await workflow('stamp', { type: 'field_changed', field: 'jobTitle' }, [
      { type: 'set_field', field: 'jobTitle', value: 'Reviewed' },
    ]);
    const contact = await services().contacts.create({ firstName: 'Hedy' }, ACTOR);
    await services().contacts.update(contact.id, { jobTitle: 'Inventor' }, ACTOR);
    await api.runtime.pipeline.drain();

    expect((await runsOf(stamp.id)).map((run) => run.outcomes[0]!.status)).toEqual(['ok']);
    expect(await services().contacts.get(contact.id)).toMatchObject({ jobTitle: 'Reviewed', updatedBy: `workflow:${stamp.id}` });
  });
});
