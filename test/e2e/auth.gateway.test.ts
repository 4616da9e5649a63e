/**
 * Gateway mode (Apigee validated the caller and injected X-User-Id / X-Roles): the headers are believed only
 * from AUTH_TRUSTED_PROXIES; from any other address they are refused and nothing starts. The principal they
 * name is recorded on the workflows it starts and on the request's log lines.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApp } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { createStores } from '../../src/stores';
import { connectTemporal } from '../../src/stores/temporal';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { json } from '../support/http';

let trusted: TestApi;
let untrusted: TestApi;
let workers: TestWorkers;

beforeAll(async () => {
  workers = await startTestWorkers(['system']);
  trusted = await startTestApi({ AUTH_MODE: 'gateway', AUTH_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' });
  untrusted = await startTestApi({ AUTH_MODE: 'gateway', AUTH_TRUSTED_PROXIES: '10.0.0.0/8,192.168.1.1,fd00::/8' });
});
afterAll(async () => {
  await trusted?.close();
  await untrusted?.close();
  await workers?.stop();
});

const identity = (userId: string, roles: string) => ({ 'x-user-id': userId, 'x-roles': roles });
const startProbe = (api: TestApi, headers: Record<string, string>, message: string) =>
  fetch(`${api.url}/v1/probes`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ message }) });

test('from a trusted proxy, X-User-Id and X-Roles are the principal, recorded on the workflow it starts', async () => {
  const me = await fetch(`${trusted.url}/v1/auth/me`, { headers: identity('seller-42', 'operator, viewer, superuser') });
  expect(await json(me)).toEqual({ principal: 'seller-42', roles: ['operator', 'viewer'] });

  const response = await startProbe(trusted, identity('seller-42', 'operator'), 'via the gateway');
  expect(response.status).toBe(202);
  const { workflow_id: workflowId } = await json(response);
  const description = await trusted.temporal.client.workflow.getHandle(workflowId).describe();
  expect(description.searchAttributes.Principal).toEqual(['seller-42']);
  expect(description.memo).toMatchObject({ principal: 'seller-42' });
  await eventually(async () => ((await trusted.temporal.client.workflow.getHandle(workflowId).describe()).status.name === 'COMPLETED' ? true : undefined));
});

test('from a trusted proxy without X-User-Id, the caller is unauthenticated; a viewer may not start work', async () => {
  expect((await fetch(`${trusted.url}/v1/auth/me`)).status).toBe(401);
  const viewer = await startProbe(trusted, identity('watcher', 'viewer'), 'not allowed');
  expect(viewer.status).toBe(403);
  expect((await json(viewer)).detail).toMatch(/watcher may not call POST \/v1\/probes: it needs one of the roles admin, operator, service/);
});

test('the same headers from an address that is not a trusted proxy are refused, and nothing starts', async () => {
  const me = await fetch(`${untrusted.url}/v1/auth/me`, { headers: identity('admin', 'admin') });
  expect(me.status).toBe(401);
  expect(me.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect((await json(me)).detail).toBe('identity headers from 127.0.0.1, which is not a trusted proxy');
  // X-Roles alone is a forgery attempt too.
  expect((await fetch(`${untrusted.url}/v1/auth/me`, { headers: { 'x-roles': 'admin' } })).status).toBe(401);

  const requestId = `gateway-forged-${Date.now()}`;
  const forged = await startProbe(untrusted, { ...identity('admin', 'admin'), 'x-request-id': requestId }, 'forged');
  expect(forged.status).toBe(401);
  // Visibility has caught up once a later, allowed start is visible; the forged one is not there.
  const later = await json(await startProbe(trusted, { ...identity('seller-42', 'operator'), 'x-request-id': `${requestId}-ok` }, 'allowed'));
  const client = trusted.temporal.client;
  await eventually(async () => ((await client.workflow.count(`RequestId = "${requestId}-ok"`)).count === 1 ? true : undefined));
  expect((await client.workflow.count(`RequestId = "${requestId}"`)).count).toBe(0);
  await eventually(async () => ((await client.workflow.getHandle(later.workflow_id).describe()).status.name === 'COMPLETED' ? true : undefined));
});

test('gateway mode without trusted proxies, or with a bad entry, does not start', async () => {
  await expect(startTestApi({ AUTH_MODE: 'gateway' })).rejects.toThrow('AUTH_MODE=gateway needs AUTH_TRUSTED_PROXIES');
  await expect(startTestApi({ AUTH_MODE: 'gateway', AUTH_TRUSTED_PROXIES: '10.0.0.0/40' })).rejects.toThrow('AUTH_TRUSTED_PROXIES: 10.0.0.0/40 has a bad prefix length');
  await expect(startTestApi({ AUTH_MODE: 'gateway', AUTH_TRUSTED_PROXIES: 'gateway.internal' })).rejects.toThrow('is not an IP address or CIDR');
});

test('every log line of an authenticated request names its principal', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({ ...process.env, AUTH_MODE: 'gateway', AUTH_TRUSTED_PROXIES: '127.0.0.1' });
  const temporal = await connectTemporal(config);
  const stores = createStores(config);
  const app = await buildApp({ config, temporal: temporal.client, temporalHealth: temporal, stores, logger: pino({ level: 'info' }, sink) });
  try {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const forbidden = await fetch(`${address}/v1/schedules/nothing/pause`, { method: 'POST', headers: { ...identity('log-viewer', 'viewer'), 'x-request-id': 'log-check-1' } });
    expect(forbidden.status).toBe(403);
    const created = await fetch(`${address}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...identity('log-admin', 'admin'), 'x-request-id': 'log-check-2' },
      body: JSON.stringify({ name: `log-check-${Date.now()}`, roles: ['service'] }),
    });
    expect(created.status).toBe(201);
  } finally {
    await app.close();
    await stores.close();
    await temporal.close();
  }
  expect(lines.find((line) => line.msg === 'forbidden: no allowed role')).toMatchObject({ principal: 'log-viewer', request_id: 'log-check-1' });
  expect(lines.find((line) => line.msg === 'API key created')).toMatchObject({ principal: 'log-admin', request_id: 'log-check-2' });
});
