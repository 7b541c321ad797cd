import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { Services } from '../../shared/app/services.ts';
import type { Job } from '../../shared/domain/jobs.ts';
import type { KithEvent } from '../../shared/events/types.ts';
import type { FunctionName } from '../topology.ts';
import { lambdaContext, type LocalHandler } from './lambda.ts';

/** How often the driver looks for jobs to run. */
const POLL_MS = 250;

/**
 * Runs import and export jobs locally until the local pipeline delivers the topology's
 * subscriptions: it looks for dispatched jobs whose lease is free (what the job-sweeper finds)
 * and invokes their worker with the event the subscription would carry. The workers' leases
 * make a second delivery (from the pipeline, later) harmless.
 */
export function startJobDriver(
  services: Services,
  handlers: Partial<Record<FunctionName, LocalHandler>>,
): { stop(): Promise<void> } {
  const running = new Map<string, Promise<unknown>>();
  let stopped = false;
  const workerOf: Record<Job['kind'], FunctionName> = { import: 'import-worker', export: 'export-worker' };

  const invoke = (job: Job) => {
    const name = workerOf[job.kind];
    const handler = handlers[name];
    if (!handler) return;
    const event: KithEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': `${job.kind}_job.updated`,
      source: 'kith',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'local',
      resources: [],
      detail: {
        eventId: randomUUID(),
        entity: `${job.kind}_job`,
        id: job.id,
        version: job.version,
        changedFields: ['dispatch'],
        actor: 'system',
        occurredAt: new Date().toISOString(),
      },
    };
    const context: Context = lambdaContext(name);
    const run = handler(event, context)
      .catch(() => undefined)
      .finally(() => running.delete(job.id));
    running.set(job.id, run);
  };

  const tick = async () => {
    if (stopped) return;
    try {
      for (const job of await services.jobs.stalled()) if (!running.has(job.id)) invoke(job);
    } catch {
      // The table may be gone (tests) or busy; the next tick tries again.
    }
    if (!stopped) timer = setTimeout(tick, POLL_MS);
  };
  let timer = setTimeout(tick, POLL_MS);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled(running.values());
    },
  };
}
