import { describe, expect, it } from 'vitest';
import { freshServices } from '../helpers/store.ts';
import { fixedClock } from '../../shared/domain/clock.ts';
import { LeaseLostError } from '../../shared/store/jobs.ts';
import { create as createSweeper } from '../../functions/job-sweeper/app.ts';
import { lambdaContext } from '../../infra/local/lambda.ts';
import type { ImportJob } from '../../shared/domain/jobs.ts';
import { LIMITS } from '../../shared/domain/limits.ts';
import { ImportRunner } from '../../shared/app/import-runner.ts';

const LEASE_MS = 30_000;

async function queuedImport() {
  const clock = fixedClock('2026-01-01T00:00:00.000Z');
  const services = await freshServices(clock, { jobLeaseMs: LEASE_MS });
  const { job } = await services.imports.create(
    { format: 'csv', onDuplicate: 'skip', dryRun: false, allowSuppressed: false },
    'key:test',
  );
  await services.blobs.write(job.fileKey, 'Email\na@example.com\n', 'text/csv');
  const queued = await services.imports.start(job.id);
  return { clock, services, queued };
}

describe('the job state machine', () => {
  it('refuses to start an import whose file was not uploaded, or twice', async () => {
    const services = await freshServices();
    const { job } = await services.imports.create(
      { format: 'csv', onDuplicate: 'skip', dryRun: false, allowSuppressed: false },
      'key:test',
    );
    await expect(services.imports.start(job.id)).rejects.toThrow(/has not been uploaded yet/);
    await services.blobs.write(job.fileKey, 'Email\na@example.com\n', 'text/csv');
    expect((await services.imports.start(job.id)).status).toBe('queued');
    await expect(services.imports.start(job.id)).rejects.toThrow(/only an import awaiting its upload can be started/);
  });

  it('lets one worker hold a job until its lease runs out, then another takes over and the first stops', async () => {
    const { clock, services, queued } = await queuedImport();
    const first = await services.jobs.acquire<ImportJob>(queued.id, 'import', 'worker-a', LEASE_MS);
    expect(first?.status).toBe('running');
    expect(await services.jobs.acquire(queued.id, 'import', 'worker-b', LEASE_MS)).toBeUndefined();
    clock.advance(LEASE_MS + 1);
    const second = await services.jobs.acquire<ImportJob>(queued.id, 'import', 'worker-b', LEASE_MS);
    expect(second?.leaseOwner).toBe('worker-b');
    await expect(services.jobs.checkpoint(first!, 'worker-a', LEASE_MS, { checkpoint: 1 })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
  });

  it('stops a running worker at its next checkpoint when the job is cancelled', async () => {
    const { services, queued } = await queuedImport();
    const running = await services.jobs.acquire<ImportJob>(queued.id, 'import', 'worker-a', LEASE_MS);
    expect((await services.imports.cancel(queued.id)).status).toBe('cancelled');
    await expect(services.jobs.checkpoint(running!, 'worker-a', LEASE_MS, { checkpoint: 1 })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    await expect(services.imports.cancel(queued.id)).rejects.toThrow(/already cancelled/);
  });

  it('has the sweeper re-dispatch a job whose worker died, and leave a live one alone', async () => {
    const { clock, services, queued } = await queuedImport();
    const sweep = createSweeper(services);
    await services.jobs.acquire(queued.id, 'import', 'worker-a', LEASE_MS);
    expect(await sweep({}, lambdaContext('job-sweeper'))).toEqual({ redispatched: 0 });
    clock.advance(LEASE_MS + 1);
    expect(await sweep({}, lambdaContext('job-sweeper'))).toEqual({ redispatched: 1 });
    expect((await services.imports.get(queued.id)).dispatch).toBe(queued.dispatch + 1);
  });

  it('fails a job that keeps coming back instead of retrying it forever', async () => {
    const { services, queued } = await queuedImport();
    for (let i = 0; i < LIMITS.maxJobInvocations; i++)
      await services.jobs.acquire(queued.id, 'import', 'crashing-worker', LEASE_MS);
    expect(await new ImportRunner(services, 'crashing-worker').run(queued.id, () => 60 * 60_000)).toBe('finished');
    expect(await services.imports.get(queued.id)).toMatchObject({
      status: 'failed',
      failure: expect.stringMatching(/Gave up after 50 attempts/),
    });
  });
});
