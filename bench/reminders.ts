/**
 * The reminder sweep: what firing D due reminders costs, beside the raw conditional updates that
 * firing them takes at least (the floor, same engine, same run, same parallelism), and whether
 * the cost follows the due reminders rather than all tasks (10× more tasks, same D). The floor
 * runs the updates at the sweep's own parallelism (shards × workers per shard).
 *
 *   node_modules/.bin/node bench/reminders.ts [--full]
 */
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { ensureTable } from '../infra/local/table.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServices, type Services } from '../shared/app/services.ts';
import { createStore, dynamoClientConfig } from '../shared/store/client.ts';
import { fixedClock } from '../shared/domain/clock.ts';
import { keys } from '../shared/store/keys.ts';
import { LIMITS } from '../shared/domain/limits.ts';
import { figure, runStandalone, type Figure } from './lib/figures.ts';
import { median, timed } from './lib/stats.ts';

const START = Date.parse('2026-06-01T09:00:00.000Z');

async function inParallel(count: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

export async function run({ full }: { full: boolean }): Promise<Figure[]> {
  const due = full ? 500 : 100;
  const background = full ? 20_000 : 1_000;
  const reps = full ? 5 : 3;
  const dynamo = await startDynamoDbLocal();
  try {
    const tableName = `bench-${randomUUID()}`;
    const admin = new DynamoDBClient(dynamoClientConfig({ endpoint: dynamo.endpoint }));
    await ensureTable(admin, tableName);
    admin.destroy();
    const clock = fixedClock(new Date(START));
    const services: Services = createServices({
      store: createStore({ tableName, endpoint: dynamo.endpoint }),
      clock,
      settings: { defaultPhoneRegion: 'US' },
    });
    await services.reminders.fireDueReminders();

    /** Tasks that are not due: reminders over the next month, and tasks without one. */
    const addBackground = (count: number) =>
      inParallel(count, 16, (i) =>
        services.tasks.create(
          i % 2
            ? { title: `later ${i}`, remindAt: new Date(START + 86_400_000 + i * 97_000).toISOString() }
            : { title: `no reminder ${i}` },
          'bench',
        ),
      );
    const addDue = (at: number) =>
      inParallel(due, 16, (i) =>
        services.tasks.create(
          { title: `due ${i}`, remindAt: new Date(START + at * 60_000 + (i % 60) * 1000).toISOString() },
          'bench',
        ),
      );

    let minute = 0;
    /** Median of `reps` sweeps, each firing `due` fresh reminders (the machine is shared: one sample lies). */
    const sweeps = async () => {
      const samples: number[] = [];
      let fired = 0;
      let minutesSwept = 0;
      for (let rep = 0; rep < reps; rep++) {
        minute += 2;
        await addDue(minute);
        clock.set(new Date(START + (minute + 1) * 60_000));
        const sweep = await timed(() => services.reminders.fireDueReminders());
        samples.push(sweep.ms);
        fired += sweep.result.fired;
        minutesSwept = sweep.result.minutesSwept;
      }
      if (fired !== due * reps) throw new Error(`fired ${fired}, expected ${due * reps}`);
      return { ms: median(samples), minutesSwept };
    };
    const floors = async () => {
      const samples: number[] = [];
      for (let rep = 0; rep < reps; rep++) {
        const tasks = await Promise.all(
          Array.from({ length: due }, (_, i) =>
            services.tasks.create({ title: `floor ${i}`, remindAt: new Date(START + 86_400_000 * 60).toISOString() }, 'bench'),
          ),
        );
        // The floor: the conditional updates that firing `due` reminders needs at least, no index read.
        const floor = await timed(() =>
          inParallel(due, LIMITS.dueShards * LIMITS.dueWorkersPerShard, (i) =>
            services.store.db.send(
              new UpdateCommand({
                TableName: services.store.tableName,
                Key: keys.task(tasks[i]!.id),
                UpdateExpression: 'SET remindedAt = :now, version = version + :one REMOVE gsi2pk, gsi2sk',
                ConditionExpression: 'attribute_not_exists(remindedAt)',
                ExpressionAttributeValues: { ':now': new Date().toISOString(), ':one': 1 },
              }),
            ),
          ),
        );
        samples.push(floor.ms);
      }
      return median(samples);
    };

    // Warm up the code paths (JIT, connections) on a sweep that is not measured.
    await addDue(0);
    clock.set(new Date(START + 60_000));
    await services.reminders.fireDueReminders();

    await addBackground(background / 10);
    const small = await sweeps();
    const floorSmall = await floors();
    await addBackground(background - background / 10);
    const large = await sweeps();
    const floorLarge = await floors();
    minute += 2;
    clock.set(new Date(START + minute * 60_000));
    const idle = await timed(() => services.reminders.fireDueReminders());

    return [
      figure(
        `reminder sweep: ${due} due among ${background / 10} other tasks`,
        small.ms,
        'ms',
        floorSmall,
        `median of ${reps}; ${small.minutesSwept} minutes × ${LIMITS.dueShards} shards read`,
      ),
      figure(
        `reminder sweep: ${due} due among ${background} other tasks`,
        large.ms,
        'ms',
        floorLarge,
        'cost follows due reminders, not tasks',
      ),
      figure(
        'reminder sweep with nothing due',
        idle.ms,
        'ms',
        null,
        `${idle.result.minutesSwept * LIMITS.dueShards} empty queries`,
      ),
      figure('reminder sweep per fired reminder', large.ms / due, 'ms', floorLarge / due),
    ];
  } finally {
    await dynamo.stop();
  }
}

await runStandalone({ run }, import.meta.url);
