/** HTTP → Temporal → activity → PostgreSQL → HTTP, on the real servers. */
import { randomUUID } from 'node:crypto';
import { json } from '../support/http';
import { startTestApi, startTestWorkers, eventually, type TestApi, type TestWorkers } from '../support/app';

let api: TestApi;
let workers: TestWorkers;

beforeAll(async () => {
  workers = await startTestWorkers(['system']);
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
  await workers?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function completed(probeId: string) {
  return eventually(async () => {
    const response = await fetch(`${api.url}/v1/probes/${probeId}`);
    const body = await json(response);
    return body.workflow_status === 'COMPLETED' ? body : undefined;
  });
}

test('a probe started over HTTP runs its workflow, writes its row and reports both', async () => {
  const response = await post('/v1/probes', { message: 'hello from the e2e test' }, { 'x-request-id': 'e2e-probe-1' });
  expect(response.status).toBe(202);
  expect(response.headers.get('x-request-id')).toBe('e2e-probe-1');
  const accepted = await json(response);
  expect(accepted).toMatchObject({ status: 'accepted', workflow_id: `probe-${accepted.probe_id}` });

  const state = await completed(accepted.probe_id);
  expect(state.row).toMatchObject({ probe_id: accepted.probe_id, message: 'hello from the e2e test', request_id: 'e2e-probe-1' });

  // The request id and a summary are visible to operators (Web UI / CLI) on the workflow itself.
  const description = await api.temporal.client.workflow.getHandle(accepted.workflow_id).describe();
  expect(description.searchAttributes.RequestId).toEqual(['e2e-probe-1']);
  expect(await description.staticSummary()).toBe('Probe: hello from the e2e test');
  expect(description.memo).toMatchObject({ request_id: 'e2e-probe-1' });
});

test('the same probe_id twice answers the same and writes one row', async () => {
  const probeId = randomUUID();
  const first = await post('/v1/probes', { probe_id: probeId, message: 'once' });
  const second = await post('/v1/probes', { probe_id: probeId, message: 'once' });
  expect(first.status).toBe(202);
  expect(second.status).toBe(202);
  expect(await json(second)).toEqual(await json(first));
  await completed(probeId);
  const { rows } = await api.stores.postgres.pool().query('SELECT count(*)::int AS n FROM system_probes WHERE probe_id = $1', [probeId]);
  expect(rows[0].n).toBe(1);
});

test('bad input is a 400 problem naming each field, and starts nothing', async () => {
  const probeId = randomUUID();
  const response = await post('/v1/probes', { probe_id: probeId, message: '', hold_seconds: -1, colour: 'red' });
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await json(response);
  expect(problem).toMatchObject({ status: 400, type: 'https://fluxo.dev/problems/validation' });
  expect(problem.invalid_params.map((param: { name: string }) => param.name).sort()).toEqual(
    ['body.colour', 'body.hold_seconds', 'body.message'],
  );
  expect((await fetch(`${api.url}/v1/probes/${probeId}`)).status).toBe(404);
});

test('malformed JSON and an unknown probe are problems too', async () => {
  const malformed = await fetch(`${api.url}/v1/probes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":' });
  expect(malformed.status).toBe(400);
  expect(malformed.headers.get('content-type')).toMatch(/problem\+json/);
  const unknown = await fetch(`${api.url}/v1/probes/${randomUUID()}`);
  expect(unknown.status).toBe(404);
  expect((await json(unknown)).type).toBe('https://fluxo.dev/problems/not-found');
  const badId = await fetch(`${api.url}/v1/probes/not-a-uuid`);
  expect(badId.status).toBe(400);
  expect((await json(badId)).invalid_params[0].name).toBe('path.probe_id');
});

test('health, readiness, metrics and OpenAPI answer', async () => {
  expect((await fetch(`${api.url}/health`)).status).toBe(200);
  const ready = await fetch(`${api.url}/ready`);
  expect(ready.status).toBe(200);
  expect((await json(ready)).checks).toEqual(expect.arrayContaining([{ name: 'temporal', status: 'up' }, { name: 'postgres', status: 'up' }]));

  const metrics = await (await fetch(`${api.url}/metrics`)).text();
  expect(metrics).toMatch(/fluxo_http_requests_total\{method="POST",route="\/v1\/probes",status="202"\} \d+/);

  const openapi = await json(await fetch(`${api.url}/openapi.json`));
  expect(openapi.openapi).toMatch(/^3\./);
  expect(openapi.paths['/v1/probes'].post.requestBody.content['application/json'].schema.properties.message).toBeDefined();
  // Errors are documented as problem documents, with the statuses particular to a route.
  expect(openapi.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail']);
  expect(Object.keys(openapi.paths['/v1/probes'].post.responses)).toEqual(expect.arrayContaining(['202', '4XX', '5XX']));
  expect(openapi.paths['/v1/lancamentos'].post.responses['423'].content['application/problem+json']).toBeDefined();
  expect(openapi.paths['/v1/lancamentos'].post.responses['503'].headers['Retry-After']).toBeDefined();
  expect(Object.keys(openapi.paths['/v1/catalogo/sync'].post.requestBody.content)).toEqual(['text/csv', 'multipart/form-data', 'application/json']);
  expect((await fetch(`${api.url}/docs/`)).status).toBe(200);
});
