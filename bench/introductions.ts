/**
 * Warm-introduction search on a relationship map: latency of a 3-hop search between random
 * contacts, beside the floor measured in the same run — the same edge queries issued raw, in
 * the same two rounds (source and target at once, then the expansions at the same concurrency).
 *
 *   node_modules/.bin/node bench/introductions.ts [--full]
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { ensureTable } from '../infra/local/table.ts';
import { createServices } from '../shared/app/services.ts';
import { createStore, dynamoClientConfig } from '../shared/store/client.ts';
import { keys } from '../shared/store/keys.ts';
import { LIMITS } from '../shared/domain/limits.ts';
import { RELATIONSHIP_TYPES } from '../shared/domain/relationships.ts';
import { figure, runStandalone, type Figure } from './lib/figures.ts';
import { median, timed } from './lib/stats.ts';

/** A small deterministic generator, so every run measures the same graph. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

export async function run({ full }: { full: boolean }): Promise<Figure[]> {
  const people = full ? 2000 : 200;
  const tiesEach = full ? 20 : 8;
  const searches = full ? 100 : 30;
  const dynamo = await startDynamoDbLocal();
  try {
    const tableName = `bench-${randomUUID()}`;
    const admin = new DynamoDBClient(dynamoClientConfig({ endpoint: dynamo.endpoint }));
    await ensureTable(admin, tableName);
    admin.destroy();
    const services = createServices({
      store: createStore({ tableName, endpoint: dynamo.endpoint }),
      settings: { defaultPhoneRegion: 'US' },
    });
    const next = random(42);
    const ids: string[] = [];
    for (let i = 0; i < people; i += 25) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(25, people - i) }, (_, j) =>
            services.contacts.create({ firstName: `P${i + j}` }, 'bench').then((c) => c.id),
          ),
        )),
      );
    }
    const types = RELATIONSHIP_TYPES.filter((t) => t !== 'custom');
    const ties = Array.from(
      { length: (people * tiesEach) / 2 },
      () =>
        [
          ids[Math.floor(next() * people)]!,
          ids[Math.floor(next() * people)]!,
          types[Math.floor(next() * types.length)]!,
          Math.round(next() * 100) / 100,
        ] as const,
    ).filter(([a, b]) => a !== b);
    for (let i = 0; i < ties.length; i += 16) {
      await Promise.all(
        ties
          .slice(i, i + 16)
          .map(([a, b, type, strength]) =>
            services.relationships.connect(a, { otherId: b, type, strength }, 'bench').catch(() => undefined),
          ),
      );
    }

    const rawTies = (id: string) =>
      services.store.db.send(
        new QueryCommand({
          TableName: services.store.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.contactPartition(id), ':prefix': keys.relationshipsPrefix() },
          ProjectionExpression: 'otherId, strength, typeKey',
          Limit: LIMITS.maxTiesPerContact + 1,
        }),
      );

    const searchMs: number[] = [];
    const floorMs: number[] = [];
    let found = 0;
    for (let i = 0; i < searches + 3; i++) {
      const [source, target] = [ids[Math.floor(next() * people)]!, ids[Math.floor(next() * people)]!];
      if (source === target) continue;
      const search = await timed(() => services.relationships.introductions(source, target));
      const floor = await timed(async () => {
        const [a, b] = await Promise.all([rawTies(source), rawTies(target)]);
        const side = (a.Items ?? []).length <= (b.Items ?? []).length ? a : b;
        const middle = [...new Set((side.Items ?? []).map((t) => t.otherId as string))].slice(
          0,
          LIMITS.maxIntroductionExpansions,
        );
        for (let j = 0; j < middle.length; j += LIMITS.introductionQueryConcurrency) {
          await Promise.all(middle.slice(j, j + LIMITS.introductionQueryConcurrency).map(rawTies));
        }
      });
      if (i < 3) continue; // warm-up
      searchMs.push(search.ms);
      floorMs.push(floor.ms);
      if (search.result.results.length > 0) found++;
    }
    return [
      figure(
        `introduction search, ${people} people × ~${tiesEach} ties (median)`,
        median(searchMs),
        'ms',
        median(floorMs),
        `paths found for ${found}/${searchMs.length} pairs`,
      ),
    ];
  } finally {
    await dynamo.stop();
  }
}

await runStandalone({ run }, import.meta.url);
