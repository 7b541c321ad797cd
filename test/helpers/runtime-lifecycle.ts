/**
 * Starts the local runtime on DYNAMODB_ENDPOINT, writes, waits for the pipeline, stops it, and
 * then lets Node exit on its own: a timer or socket left behind keeps the process alive, and an
 * unhandled rejection is reported. Run by test/integration/runtime-lifecycle.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { startRuntime } from '../../infra/local/runtime.ts';

const problems: string[] = [];
process.on('unhandledRejection', (reason) => problems.push(`unhandled rejection: ${String(reason)}`));

const runtime = await startRuntime({
  dynamoEndpoint: process.env.DYNAMODB_ENDPOINT!,
  tableName: `lifecycle-${randomUUID()}`,
  port: 0,
  settings: { defaultPhoneRegion: 'US' },
  realTimeSchedules: true,
});
const contact = await runtime.services.contacts.create({ firstName: 'Ada' }, 'key:lifecycle');
await runtime.services.contacts.update(contact.id, { jobTitle: 'CTO' }, 'key:lifecycle');
await runtime.pipeline.drain();
const history = await runtime.services.history.list('contact', contact.id, { limit: 10 });
await runtime.stop();
// Closed handles leave the list a few loop turns later; what is still there after that stays.
const running = () => process.getActiveResourcesInfo().filter((kind) => !['TTYWrap', 'PipeWrap', 'Immediate'].includes(kind));
for (let turn = 0; turn < 100 && running().length > 0; turn++) await new Promise((resolve) => setImmediate(resolve));
const left = running();
console.log(JSON.stringify({ entries: history.results.length, left, problems }));
