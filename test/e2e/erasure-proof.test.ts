import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { directoryTraces, strings, tableTraces, tracesIn, type Trace } from '../helpers/traces.ts';
import { EmbeddedContactIndex } from '../../shared/search/embedded.ts';
import { OpenSearchContactIndex } from '../../shared/search/opensearch.ts';

/**
 * The proof of erasure: a person with distinctive values touches every store Kith has, is
 * erased, and then every store is searched for those values, item by item and file by file.
 */
const PERSON = {
  firstName: 'Zelphira',
  lastName: 'Quintavalle',
  email: 'zelphira.q@erasure-proof.test',
  oldEmail: 'zq.before@erasure-proof.test',
  phone: '+1 415 555 0199',
  note: 'orchid-lantern-7731',
  custom: 'cf-ember-4411',
  externalId: 'crm-erase-5521',
  street: '17 Wisteria Mews',
};
/** What must be found nowhere afterwards (the phone as stored and as its digits). */
const VALUES = [
  PERSON.firstName,
  PERSON.lastName,
  PERSON.email,
  PERSON.oldEmail,
  '4155550199',
  PERSON.note,
  PERSON.custom,
  PERSON.externalId,
  PERSON.street,
];

let api: TestApi;
let receiver: WebhookReceiver;
const home = mkdtempSync(join(tmpdir(), 'kith-erasure-'));

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  api = await startTestApi({ home, settings: { defaultPhoneRegion: 'US', allowPrivateWebhookTargets: true } });
});
afterAll(async () => {
  await api?.stop();
  await receiver?.stop();
  rmSync(home, { recursive: true, force: true });
});

async function ok<T = any>(method: string, path: string, options: Parameters<TestApi['request']>[2] = {}): Promise<T> {
  const res = await api.request(method, path, options);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body as T;
}

/** Creates an import of `csv`, uploads it, starts it and waits until it is done. */
async function runImport(csv: string, request: Record<string, unknown>): Promise<any> {
  const created = await ok('POST', '/v1/imports', { body: { format: 'csv', ...request } });
  const upload = await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: csv });
  expect(upload.ok).toBe(true);
  await ok('POST', `/v1/imports/${created.id}/start`);
  let job = created;
  for (let i = 0; i < 300 && !['completed', 'failed', 'cancelled'].includes(job.status); i++) {
    await api.runtime.pipeline.drain();
    job = await ok('GET', `/v1/imports/${created.id}`);
    if (!['completed', 'failed', 'cancelled'].includes(job.status)) await new Promise((r) => setTimeout(r, 50));
  }
  expect(job.status).toBe('completed');
  return job;
}

async function runExport(): Promise<any> {
  const created = await ok('POST', '/v1/exports', { body: { format: 'csv' } });
  let job = created;
  for (let i = 0; i < 300 && !['completed', 'failed'].includes(job.status); i++) {
    await api.runtime.pipeline.drain();
    job = await ok('GET', `/v1/exports/${created.id}`);
    if (job.status !== 'completed') await new Promise((r) => setTimeout(r, 50));
  }
  expect(job.status).toBe('completed');
  return job;
}

/** The items of the table that name any of the ids anywhere (keys included). */
async function itemsNaming(ids: readonly string[]): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await api.runtime.services.store.db.send(
      new ScanCommand({ TableName: api.runtime.services.store.tableName, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) if (ids.some((id) => strings(item).some((s) => s.includes(id)))) found.push(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

/** Every place Kith keeps data, searched for the values. */
async function everyTrace(values: readonly string[]): Promise<Trace[]> {
  const traces = [
    ...(await tableTraces(api.runtime.services.store, values)),
    ...(await directoryTraces(join(home, 'blobs'), values)),
    ...(await directoryTraces(join(home, 'dlq'), values)),
  ];
  const index = api.runtime.services.search.index;
  if (index instanceof EmbeddedContactIndex) traces.push(...tracesIn('embedded search index', index.dump(), values));
  if (index instanceof OpenSearchContactIndex) {
    await index.refresh();
    const { body } = await index.client.search({ index: index.readAlias, body: { query: { match_all: {} }, size: 10_000 } });
    traces.push(...tracesIn('OpenSearch index (match_all)', JSON.stringify(body.hits.hits), values));
  }
  return traces;
}

describe('erasure leaves no trace', () => {
  let personId: string;
  let duplicateId: string;

  it('finds the person in every store before the erasure', async () => {
    await ok('POST', '/v1/webhooks', { body: { url: receiver.url, events: ['contact.*'] } });
    await ok('POST', '/v1/fields', { body: { key: 'favouriteCode', label: 'Favourite code', type: 'text' } });
    const company = await ok('POST', '/v1/companies', { body: { name: 'Quokka Foundry' } });
    // Workflows: a run per tagging (a task and a note naming the person, a webhook carrying them), a segment membership.
    const vips = await ok('POST', '/v1/segments', {
      body: { name: 'VIPs', filter: { field: 'tags', op: 'contains', value: 'vip' } },
    });
    await ok('POST', '/v1/workflows', {
      body: {
        name: 'Greet VIPs',
        trigger: { type: 'tag_added', tag: 'vip' },
        actions: [
          { type: 'create_task', title: 'Call {{fullName}}', dueInDays: 1, assignee: 'u-ana' },
          { type: 'log_activity', kind: 'note', text: 'Welcome, {{firstName}}' },
          { type: 'webhook', url: receiver.url },
        ],
      },
    });
    await ok('POST', '/v1/workflows', {
      body: {
        name: 'Segment watch',
        trigger: { type: 'segment_entered', segmentId: vips.id },
        actions: [{ type: 'add_tag', tag: 'watched' }],
      },
    });
    const other = await ok('POST', '/v1/contacts', {
      body: { firstName: 'Otto', lastName: 'Neighbour', externalIds: { crm: 'crm-other-1' } },
    });
    const person = await ok('POST', '/v1/contacts', {
      headers: { 'idempotency-key': 'create-the-person' },
      body: {
        firstName: PERSON.firstName,
        lastName: PERSON.lastName,
        emails: [{ address: PERSON.email }],
        phones: [{ number: PERSON.phone }],
        customFields: { favouriteCode: PERSON.custom },
        externalIds: { crm: PERSON.externalId },
        address: { street: PERSON.street, city: 'Lamplight', country: 'GB' },
        companyId: company.id,
      },
    });
    personId = person.id;

    // A dead letter: the history consumer is down while the person's job title changes (and only
    // then: what came before is delivered first).
    await api.runtime.pipeline.drain();
    const history = api.runtime.handlers.history!;
    api.runtime.handlers.history = async () => {
      throw new Error('history is down');
    };
    await ok('PATCH', `/v1/contacts/${personId}`, { body: { jobTitle: `Keeper of ${PERSON.note}` } });
    await api.runtime.pipeline.drain();
    api.runtime.handlers.history = history;
    await ok('PATCH', `/v1/contacts/${personId}`, { body: { lifecycleStage: 'customer' } });
    await ok('POST', `/v1/contacts/${personId}/tags`, { body: { add: ['vip'] } });

    await ok('POST', `/v1/contacts/${personId}/activities`, { body: { kind: 'note', body: `Met at the ${PERSON.note} fair` } });
    await ok('POST', `/v1/contacts/${personId}/activities`, {
      body: { kind: 'call', direction: 'out', durationSeconds: 60, subject: `Called ${PERSON.firstName}` },
    });
    await ok('POST', `/v1/contacts/${personId}/relationships`, { body: { otherId: other.id, type: 'friend', strength: 0.9 } });
    await ok('POST', '/v1/tasks', {
      body: { title: `Send ${PERSON.firstName} the notes`, contactId: personId, remindAt: '2099-01-01T09:00:00Z' },
    });
    await ok('POST', `/v1/contacts/${personId}/consent`, { body: { channel: 'email', status: 'granted', source: 'web-form' } });

    // A near-duplicate: suggested by the dedup consumer, then merged into the person.
    const duplicate = await ok('POST', '/v1/contacts', {
      body: {
        firstName: PERSON.firstName,
        lastName: PERSON.lastName,
        emails: [{ address: PERSON.oldEmail }],
        phones: [{ number: PERSON.phone }],
      },
    });
    duplicateId = duplicate.id;
    await api.runtime.pipeline.drain();
    const suggestions = await ok('GET', '/v1/duplicates?status=open');
    expect(suggestions.results.map((s: { contactIds: string[] }) => [...s.contactIds].sort())).toContainEqual(
      [personId, duplicateId].sort(),
    );
    await ok('POST', `/v1/contacts/${personId}/merge`, { body: { sourceId: duplicateId } });

    // Imports: a row that matches the person and someone else fails naming them; a dry run previews them.
    const failed = await runImport(
      `Name,Mail,CRM\n${PERSON.firstName} ${PERSON.lastName},${PERSON.email},crm-other-1\nNora Bystander,nora@bystander.test,\n`,
      { mapping: { Name: 'fullName', Mail: 'email', CRM: 'externalIds.crm' }, onDuplicate: 'update' },
    );
    expect(JSON.stringify(failed.firstErrors)).toContain(PERSON.email);
    const dryRun = await runImport(`Name,Mail\n${PERSON.firstName} ${PERSON.lastName},${PERSON.email}\n`, {
      mapping: { Name: 'fullName', Mail: 'email' },
      dryRun: true,
    });
    expect(JSON.stringify(dryRun.preview)).toContain(PERSON.email);
    const exported = await runExport();
    expect(exported.exported).toBeGreaterThanOrEqual(3);

    await api.runtime.pipeline.drain();
    const before = await everyTrace(VALUES);
    const where = (pattern: RegExp) => before.some((trace) => pattern.test(trace.where));
    for (const store of [
      /\/ PROFILE/,
      /ACT#/,
      /HIST#/,
      /TASK#/,
      /HOOK#.*DELIVERY#/,
      /WORKFLOW#.*DELIVERY#/,
      /IDEMPOTENCY#/,
      /JOB#/,
      /EMAIL#/,
    ]) {
      expect(where(store), `the person is in ${store} before the erasure`).toBe(true);
    }
    expect(where(/exports\/.*contacts\.csv/)).toBe(true);
    expect(where(/exports\/.*errors\.csv/)).toBe(true);
    expect(where(/dlq/)).toBe(true);
    expect(where(/search index/i)).toBe(true);
    const named = await itemsNaming([personId, duplicateId]);
    for (const kind of [
      'duplicate',
      'dedup_block',
      'dedup_state',
      'dedup_link',
      'merge',
      'relationship',
      'idempotency_ref',
      'workflow_run',
      'segment_member',
      'task',
    ]) {
      expect(
        named.map((item) => item.entityType),
        `a ${kind} item names the person`,
      ).toContain(kind);
    }
  });

  it('erases every trace of them, by any of their ids', async () => {
    const erased = await api.request('POST', `/v1/contacts/${duplicateId}/erase`, { body: { reason: 'ticket DSR-1' } });
    expect(erased.status).toBe(204);
    await api.runtime.pipeline.drain();

    expect((await api.request('GET', `/v1/contacts/${personId}`)).status).toBe(404);
    expect((await api.request('GET', `/v1/contacts/${duplicateId}`)).status).toBe(404);
    expect((await api.request('POST', `/v1/contacts/${personId}/erase`, { body: {} })).status).toBe(204);

    const traces = await everyTrace(VALUES);
    expect(traces, JSON.stringify(traces, null, 2)).toEqual([]);
    // What still names their ids: the erased tombstones, the erasure record, payload-less delivery logs.
    const named = await itemsNaming([personId, duplicateId]);
    expect(new Set(named.map((item) => item.entityType))).toEqual(new Set(['contact', 'erasure', 'webhook_delivery']));
    expect(named.filter((item) => item.entityType === 'contact').map((item) => Object.keys(item).sort())).toEqual([
      ['entityType', 'erasedAt', 'erasedBy', 'erasureId', 'id', 'pk', 'sk', 'status', 'updatedAt', 'updatedBy', 'version'],
      ['entityType', 'erasedAt', 'erasedBy', 'erasureId', 'id', 'pk', 'sk', 'status', 'updatedAt', 'updatedBy', 'version'],
    ]);
    for (const delivery of named.filter((item) => item.entityType === 'webhook_delivery')) {
      expect(delivery.payload === '' || JSON.parse(delivery.payload as string).type === 'contact.erased').toBe(true);
    }

    const record = await api.runtime.services.erasures.get(personId);
    expect(record).toMatchObject({ status: 'done', contactIds: [personId, duplicateId], reason: 'ticket DSR-1' });
    expect(record!.erased).toMatchObject({ records: expect.any(Number), partition: expect.any(Number), dead_letters: 1 });
  });

  it('delivered `contact.erased` with the id only; what receivers got before is theirs, not Kith’s', async () => {
    const erasedEvents = receiver.received.filter((r) => JSON.parse(r.body).type === 'contact.erased');
    expect(erasedEvents.length).toBeGreaterThan(0);
    for (const event of erasedEvents) expect(tracesIn('contact.erased payload', event.body, VALUES)).toEqual([]);
    // Delivered before the erasure, to a system Kith does not control: erasing there is the receiver's job.
    expect(receiver.received.some((r) => r.body.includes(PERSON.email))).toBe(true);
  });

  it('keeps them out: a later import skips them, a create is refused, unless an admin allows it', async () => {
    const skipped = await runImport(`Name,Mail\n${PERSON.firstName} ${PERSON.lastName},${PERSON.email}\n`, {
      mapping: { Name: 'fullName', Mail: 'email' },
    });
    expect(skipped.progress).toMatchObject({ created: 0, skipped: 1 });
    expect(await everyTrace(VALUES)).toEqual([]);

    const body = { firstName: 'Z', emails: [{ address: PERSON.email }] };
    const refused = await api.request('POST', '/v1/contacts', { body, headers: { 'idempotency-key': 'create-the-person' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: 'https://kith.dev/problems/suppressed', errors: [{ path: 'emails[0].address' }] });
    expect(JSON.stringify(refused.body)).not.toContain(PERSON.email);
    const member = await api.keyFor('member');
    expect((await api.request('POST', '/v1/contacts?allowSuppressed=true', { body, key: member })).status).toBe(403);
    expect((await api.request('POST', '/v1/contacts?allowSuppressed=true', { body })).status).toBe(201);

    const allowed = await runImport(`Name,Mail\nPhone Only,\n${PERSON.firstName} ${PERSON.lastName},${PERSON.oldEmail}\n`, {
      mapping: { Name: 'fullName', Mail: 'email' },
      allowSuppressed: true,
    });
    expect(allowed.progress).toMatchObject({ created: 2 });
  });
});
