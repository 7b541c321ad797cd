import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/runtime.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('tasks over HTTP', () => {
  it('creates, lists by contact and status, completes and deletes a task', async () => {
    const contactId = (await api.request('POST', '/v1/contacts', { body: { firstName: 'Ada' } })).body.id;
    const created = await api.request('POST', '/v1/tasks', {
      body: {
        title: 'Send the proposal',
        contactId,
        assigneeId: 'user:kim',
        dueAt: '2030-01-02T09:00:00Z',
        remindAt: '2030-01-02T08:00:00Z',
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/tasks/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'open', dueAt: '2030-01-02T09:00:00.000Z', version: 1 });
    const id = created.body.id;

    expect(
      (await api.request('GET', `/v1/tasks?contactId=${contactId}&status=open`)).body.results.map((t: { id: string }) => t.id),
    ).toEqual([id]);
    expect((await api.request('GET', '/v1/tasks?assigneeId=user:kim')).body.results).toHaveLength(1);

    const done = await api.request('POST', `/v1/tasks/${id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', version: 2 });
    expect((await api.request('GET', `/v1/tasks?contactId=${contactId}&status=open`)).body.results).toEqual([]);
    const timeline = await api.request('GET', `/v1/contacts/${contactId}/activities`);
    expect(timeline.body.results[0]).toMatchObject({ kind: 'system', systemEvent: 'task.completed' });

    const reopened = await api.request('PATCH', `/v1/tasks/${id}`, { body: { status: 'open' }, headers: { 'if-match': '"2"' } });
    expect(reopened.body).toMatchObject({ status: 'open', version: 3 });
    expect(reopened.body.completedAt).toBeUndefined();
    expect((await api.request('DELETE', `/v1/tasks/${id}`)).status).toBe(204);
    expect((await api.request('GET', `/v1/tasks/${id}`)).status).toBe(404);
  });

  it('answers 422 for a task without a title, read-only fields and two filters at once', async () => {
    expect((await api.request('POST', '/v1/tasks', { body: { title: '  ' } })).status).toBe(422);
    const task = (await api.request('POST', '/v1/tasks', { body: { title: 'x' } })).body;
    const readOnly = await api.request('PATCH', `/v1/tasks/${task.id}`, { body: { remindedAt: '2030-01-01T00:00:00Z' } });
    expect(readOnly.status).toBe(422);
    expect(readOnly.body.errors[0].path).toBe('remindedAt');
    expect((await api.request('GET', '/v1/tasks?contactId=01J00000000000000000000000&assigneeId=a')).status).toBe(422);
  });
});
