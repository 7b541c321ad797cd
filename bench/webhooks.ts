/**
 * Webhook delivery: from a domain event reaching the dispatcher to the receiver's answer being
 * recorded, beside the floor measured in the same run — the same signed POST sent to the same
 * local receiver with no delivery record (what any sender must do), plus the two conditional
 * writes a durable delivery needs at least (claim before sending, outcome after).
 *
 *   node_modules/.bin/node bench/webhooks.ts [--full]
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { ensureTable } from '../infra/local/table.ts';
import { createServices } from '../shared/app/services.ts';
import { createStore, dynamoClientConfig } from '../shared/store/client.ts';
import { createWebhookSender } from '../shared/events/webhook-sender.ts';
import { signWebhook } from '../shared/domain/webhooks.ts';
import type { KithEvent } from '../shared/events/types.ts';
import { startWebhookReceiver } from '../test/helpers/webhook-receiver.ts';
import { figure, runStandalone, type Figure } from './lib/figures.ts';
import { median, timed } from './lib/stats.ts';

export async function run({ full }: { full: boolean }): Promise<Figure[]> {
  const samples = full ? 500 : 60;
  const dynamo = await startDynamoDbLocal();
  const receiver = await startWebhookReceiver();
  try {
    const tableName = `bench-${randomUUID()}`;
    const admin = new DynamoDBClient(dynamoClientConfig({ endpoint: dynamo.endpoint }));
    await ensureTable(admin, tableName);
    admin.destroy();
    const services = createServices({
      store: createStore({ tableName, endpoint: dynamo.endpoint }),
      settings: { defaultPhoneRegion: 'US', allowPrivateWebhookTargets: true },
    });
    const hook = await services.webhooks.create({ url: receiver.url, events: ['contact.*'] }, 'bench');
    const sender = createWebhookSender({ allowPrivateNetworks: true });
    const event = (i: number): KithEvent => ({
      version: '0',
      id: `bench-${i}`,
      'detail-type': 'contact.updated',
      source: 'kith',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'local',
      resources: [],
      detail: {
        eventId: `bench-stream-${i}`,
        entity: 'contact',
        id: `c${i}`,
        version: 2,
        changedFields: ['jobTitle'],
        actor: 'bench',
        occurredAt: new Date().toISOString(),
      },
    });

    const delivered: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < samples + 5; i++) {
      const dispatch = await timed(() => services.webhookDispatcher.dispatch(event(i)));
      const body = JSON.stringify({ type: 'contact.updated', timestamp: new Date().toISOString(), data: event(i).detail });
      const raw = await timed(async () => {
        const record = { TableName: tableName, Item: { pk: `FLOOR#${i}`, sk: 'X', body } };
        await services.store.db.send(new PutCommand({ ...record, ConditionExpression: 'attribute_not_exists(pk)' }));
        const ts = Math.floor(Date.now() / 1000);
        await sender.send({
          url: receiver.url,
          body,
          headers: {
            'webhook-id': `f${i}`,
            'webhook-timestamp': String(ts),
            'webhook-signature': signWebhook(hook.secret, `f${i}`, ts, body),
          },
        });
        await services.store.db.send(new PutCommand(record));
      });
      if (dispatch.result.delivered !== 1) throw new Error('a delivery failed');
      if (i < 5) continue; // warm-up
      delivered.push(dispatch.ms);
      floor.push(raw.ms);
    }
    return [
      figure(
        'webhook: event to recorded delivery (median)',
        median(delivered),
        'ms',
        median(floor),
        `${samples} events, local receiver`,
      ),
    ];
  } finally {
    await receiver.stop();
    await dynamo.stop();
  }
}

await runStandalone({ run }, import.meta.url);
