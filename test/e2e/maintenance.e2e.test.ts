/** The maintenance saga over HTTP: API → Temporal (dev server) → worker → PostgreSQL → API. */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { maintenanceWorkflowId } from '../../src/domain/maintenance/saga';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { createShatterdome } from '../support/maintenance-fixtures';

let api: TestApi;
let workers: TestWorkers;
const workUnit = process.env.MAINTENANCE_WORK_UNIT_MS;

beforeAll(async () => {
  // Read by the maintenance activities when the worker is created: short crew work keeps the test quick.
  process.env.MAINTENANCE_WORK_UNIT_MS = '20';
  workers = await startTestWorkers(['maintenance']);
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
  await workers?.stop();
  if (workUnit === undefined) delete process.env.MAINTENANCE_WORK_UNIT_MS;
  else process.env.MAINTENANCE_WORK_UNIT_MS = workUnit;
});

const pool = () => api.stores.postgres.pool();
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Identity as API security's `none` mode reads it (X-User-Id / X-Roles); no headers = anonymous admin. */
const as = (user: string, roles = 'operator') => ({ 'x-user-id': user, 'x-roles': roles });

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : null) as Json };
}

const getState = async (id: string) => (await call('GET', `/v1/maintenance/${id}`)).body;
const untilState = (id: string, done: (state: Json) => boolean, timeoutMs = 30_000) =>
  eventually(async () => {
    const response = await call('GET', `/v1/maintenance/${id}`);
    return response.status === 200 && done(response.body) ? response.body : undefined;
  }, timeoutMs);
const awaitingApproval = (id: string) => untilState(id, (state) => state.position === 'approval' && state.awaiting !== null);

test('requested over HTTP, refused to the requester, approved by an operator, completed', async () => {
  const dome = await createShatterdome(pool(), { jaegers: [{ integrity: 55 }], bays: [1] });
  const jaegerId = dome.jaegerIds[0]!;
  const started = await call('POST', '/v1/maintenance', { jaeger_id: jaegerId, type: 'repair', notes: 'left arm' }, as('alice'));
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ jaeger_id: jaegerId, workflow_id: `maintenance-${jaegerId}`, status: 'accepted' });
  const id = started.body.maintenance_id as string;
  expect(started.body.status_url).toBe(`/v1/maintenance/${id}`);

  const waiting = await awaitingApproval(id);
  expect(waiting).toMatchObject({ requested_by: 'alice', workflow_status: 'RUNNING', completed_steps: ['availability'], notes: 'left arm' });
  expect(waiting.awaiting).toMatch(/other than alice/);

  const self = await call('POST', `/v1/maintenance/${id}/approve`, {}, as('alice'));
  expect(self.status).toBe(403);
  expect(self.type).toMatch(/problem\+json/);
  expect(self.body).toMatchObject({ reason: 'SelfApproval' });
  const viewer = await call('POST', `/v1/maintenance/${id}/approve`, {}, as('vic', 'viewer'));
  expect(viewer.status).toBe(403);

  const approved = await call('POST', `/v1/maintenance/${id}/approve`, { reason: 'arm servo worn' }, as('bob'));
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ decision: 'approved', approver: 'bob', decision_reason: 'arm servo worn' });

  const done = await untilState(id, (state) => state.workflow_status === 'COMPLETED');
  expect(done).toMatchObject({
    outcome: 'completed',
    position: 'completed',
    completed_steps: ['availability', 'approval', 'allocation', 'scheduling', 'execution'],
    approver: 'bob',
    decision: 'approved',
    bay_id: dome.bayIds[0],
    failure: null,
  });
  expect(Date.parse(done.slot.starts_at)).toBeGreaterThanOrEqual(Date.parse(done.window_start));
  expect(Date.parse(done.slot.ends_at)).toBeLessThanOrEqual(Date.parse(done.window_end));

  const jaeger = await call('GET', `/v1/jaegers/${jaegerId}`);
  expect(jaeger.body).toMatchObject({ status: 'active', integrity: 100, maintenance: [{ maintenance_id: id, outcome: 'completed' }] });
  expect(jaeger.body.last_maintained_at).not.toBeNull();

  const description = await api.temporal.client.workflow.getHandle(`maintenance-${jaegerId}`).describe();
  expect(description.searchAttributes).toMatchObject({ JaegerId: [jaegerId], SagaStep: ['completed'], Principal: ['alice'] });
  expect(await description.staticSummary()).toBe(`Maintenance (repair) of ${jaegerId}, requested by alice`);
});

test('one maintenance per jaeger: a second request is 409, a repeated one answers the same, a new one after the end runs', async () => {
  const dome = await createShatterdome(pool());
  const jaegerId = dome.jaegerIds[0]!;
  const maintenanceId = randomUUID();
  const body = { maintenance_id: maintenanceId, jaeger_id: jaegerId, type: 'inspection' };
  const first = await call('POST', '/v1/maintenance', body, as('alice'));
  const repeated = await call('POST', '/v1/maintenance', body, as('alice'));
  expect(first.status).toBe(202);
  expect(repeated.status).toBe(202);
  expect(repeated.body).toEqual(first.body);

  const other = await call('POST', '/v1/maintenance', { jaeger_id: jaegerId, type: 'repair' }, as('alice'));
  expect(other.status).toBe(409);
  expect(other.body).toMatchObject({ running_maintenance_id: maintenanceId, status_url: `/v1/maintenance/${maintenanceId}` });

  await awaitingApproval(maintenanceId);
  const rejected = await call('POST', `/v1/maintenance/${maintenanceId}/reject`, { reason: 'needed on the wall' }, as('bob'));
  expect(rejected.status).toBe(200);
  expect(rejected.body).toMatchObject({ decision: 'rejected', approver: 'bob' });
  const ended = await untilState(maintenanceId, (state) => state.workflow_status === 'COMPLETED');
  expect(ended).toMatchObject({ outcome: 'rejected', decision_reason: 'needed on the wall' });
  // The same request after it ended is still the same request, not a new saga.
  expect((await call('POST', '/v1/maintenance', body, as('alice'))).body).toEqual(first.body);
  const late = await call('POST', `/v1/maintenance/${maintenanceId}/approve`, {}, as('bob'));
  expect(late.status).toBe(409);

  const next = await call('POST', '/v1/maintenance', { jaeger_id: jaegerId, type: 'repair' }, as('alice'));
  expect(next.status).toBe(202);
  expect(next.body.maintenance_id).not.toBe(maintenanceId);
  await awaitingApproval(next.body.maintenance_id);
  expect((await call('POST', `/v1/maintenance/${next.body.maintenance_id}/cancel`, undefined, as('alice'))).status).toBe(202);
  await untilState(next.body.maintenance_id, (state) => state.workflow_status === 'CANCELLED');
});

test('cancel over HTTP compensates and says so; cancelling or deciding afterwards is 409', async () => {
  const dome = await createShatterdome(pool());
  const { body } = await call('POST', '/v1/maintenance', { jaeger_id: dome.jaegerIds[0], type: 'repair' }, as('alice'));
  await awaitingApproval(body.maintenance_id);
  const cancelled = await call('POST', `/v1/maintenance/${body.maintenance_id}/cancel`, undefined, as('alice'));
  expect(cancelled).toMatchObject({ status: 202, body: { status: 'cancelling', maintenance_id: body.maintenance_id } });
  const state = await untilState(body.maintenance_id, (current) => current.workflow_status === 'CANCELLED');
  expect(state).toMatchObject({ outcome: 'cancelled', compensations_run: [{ name: 'withdraw-approval', result: 'undone' }] });
  expect((await call('POST', `/v1/maintenance/${body.maintenance_id}/cancel`, undefined, as('alice'))).status).toBe(409);
  expect((await call('POST', `/v1/maintenance/${body.maintenance_id}/approve`, {}, as('bob'))).status).toBe(409);
});

test('bad input is a 400 naming each field, an unavailable jaeger a 409, and neither starts anything', async () => {
  const dome = await createShatterdome(pool(), { jaegers: [{ integrity: 90 }, { status: 'deployed' }] });
  const [healthy, deployed] = dome.jaegerIds as [string, string];
  const names = (response: { body: Json }) => (response.body.invalid_params as { name: string }[]).map((param) => param.name).sort();

  const shape = await call('POST', '/v1/maintenance', { jaeger_id: 'Not An Id!', type: 'wash', colour: 'red' }, as('alice'));
  expect(shape.status).toBe(400);
  expect(shape.type).toMatch(/problem\+json/);
  expect(names(shape)).toEqual(['body.colour', 'body.jaeger_id', 'body.type']);

  const now = Date.now();
  const window = await call(
    'POST',
    '/v1/maintenance',
    { jaeger_id: healthy, type: 'inspection', window_start: new Date(now + 3600_000).toISOString(), window_end: new Date(now).toISOString(), fail_at_step: 'execute' },
    as('alice'),
  );
  expect(window.status).toBe(400);
  expect(names(window)).toEqual(['body.fail_at_step', 'body.window_end']);

  const unknown = await call('POST', '/v1/maintenance', { jaeger_id: `${dome.shatterdome}-nobody`, type: 'repair' }, as('alice'));
  expect(unknown.status).toBe(400);
  expect(names(unknown)).toEqual(['body.jaeger_id']);
  const tooHealthy = await call('POST', '/v1/maintenance', { jaeger_id: healthy, type: 'overhaul' }, as('alice'));
  expect(tooHealthy.status).toBe(400);
  expect(names(tooHealthy)).toEqual(['body.type']);
  const busy = await call('POST', '/v1/maintenance', { jaeger_id: deployed, type: 'repair' }, as('alice'));
  expect(busy.status).toBe(409);
  expect(busy.body.type).toBe('https://fluxo.dev/problems/jaeger-unavailable');

  for (const jaegerId of [healthy, deployed]) {
    await expect(api.temporal.client.workflow.getHandle(maintenanceWorkflowId(jaegerId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }
  const { rows } = await pool().query('SELECT count(*)::int AS n FROM maintenance_requests WHERE jaeger_id = ANY($1)', [dome.jaegerIds]);
  expect(rows[0].n).toBe(0);

  expect((await call('GET', `/v1/maintenance/${randomUUID()}`)).status).toBe(404);
  const badId = await call('GET', '/v1/maintenance/not-a-uuid');
  expect(badId.status).toBe(400);
  expect(badId.body.invalid_params[0].name).toBe('path.maintenance_id');
});

test('without authentication the requester and approver are named in the body (development only)', async () => {
  const dome = await createShatterdome(pool());
  const jaegerId = dome.jaegerIds[0]!;
  const unnamed = await call('POST', '/v1/maintenance', { jaeger_id: jaegerId, type: 'repair' });
  expect(unnamed.status).toBe(400);
  expect(unnamed.body.invalid_params).toEqual([{ name: 'body.requested_by', reason: 'required without authentication' }]);

  const { body } = await call('POST', '/v1/maintenance', { jaeger_id: jaegerId, type: 'repair', requested_by: 'carol' });
  await awaitingApproval(body.maintenance_id);
  expect((await call('POST', `/v1/maintenance/${body.maintenance_id}/approve`, {})).status).toBe(400);
  expect((await call('POST', `/v1/maintenance/${body.maintenance_id}/approve`, { approver: 'carol' })).status).toBe(403);
  // An authenticated caller cannot speak for someone else.
  const impersonation = await call('POST', `/v1/maintenance/${body.maintenance_id}/approve`, { approver: 'dan' }, as('erin'));
  expect(impersonation.status).toBe(403);
  const approved = await call('POST', `/v1/maintenance/${body.maintenance_id}/approve`, { approver: 'dan' });
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ approver: 'dan', requested_by: 'carol' });
  await untilState(body.maintenance_id, (state) => state.outcome === 'completed');
});

test('the fleet: list filtered by shatterdome and status, in keyset pages; one jaeger; unknown ones', async () => {
  const dome = await createShatterdome(pool(), { jaegers: [{}, { status: 'retired' }, {}] });
  const page1 = await call('GET', `/v1/jaegers?shatterdome=${dome.shatterdome}&limit=2`);
  expect(page1.status).toBe(200);
  expect(page1.body.items.map((jaeger: Json) => jaeger.jaeger_id)).toEqual(dome.jaegerIds.slice(0, 2));
  expect(page1.body.next_after).toBe(dome.jaegerIds[1]);
  const page2 = await call('GET', `/v1/jaegers?shatterdome=${dome.shatterdome}&limit=2&after=${page1.body.next_after}`);
  expect(page2.body).toEqual({ items: [expect.objectContaining({ jaeger_id: dome.jaegerIds[2] })], next_after: null });
  const retired = await call('GET', `/v1/jaegers?shatterdome=${dome.shatterdome}&status=retired`);
  expect(retired.body.items).toEqual([
    { jaeger_id: dome.jaegerIds[1], name: 'Test Jaeger 1', mark: 3, shatterdome: dome.shatterdome, status: 'retired', integrity: 30, last_maintained_at: null },
  ]);
  expect((await call('GET', `/v1/jaegers/${dome.jaegerIds[0]}`)).body).toMatchObject({ jaeger_id: dome.jaegerIds[0], maintenance: [] });
  expect((await call('GET', `/v1/jaegers/${dome.shatterdome}-nobody`)).status).toBe(404);
  const bad = await call('GET', '/v1/jaegers?status=sleeping&limit=0');
  expect(bad.status).toBe(400);
  expect(bad.body.invalid_params.map((param: Json) => param.name).sort()).toEqual(['query.limit', 'query.status']);
});
