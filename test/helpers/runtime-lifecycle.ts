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
await new Promise((resolve) => setImmediate(resolve)); // let closed handles finish closing
const left = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap' && kind !== 'PipeWrap');
console.log(JSON.stringify({ entries: history.results.length, left, problems }));
