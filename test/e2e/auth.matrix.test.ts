/**
 * The auth matrix, for every route that declares roles (collected from the app as it registers them, so routes
 * other domains add later are covered without touching this file): no credentials, expired token, wrong issuer,
 * wrong audience, forged signature, `alg: none`, wrong role, unknown and revoked API keys → 401/403
 * problem+json, and no workflow started by any of those requests.
 */
import { randomUUID } from 'node:crypto';
import type { SecuredRoute } from '../../src/api/auth/install';
import { revokeApiKey } from '../../src/api/auth/api-key-store';
import { roles as allRoles, type Role } from '../../src/domain/roles';
import { startTestApi, startTestWorkers, eventually, type TestApi, type TestWorkers } from '../support/app';
import {
  apiKeyWith,
  AUDIENCE,
  bearer,
  signingKey,
  startIdentityProvider,
  tamperedToken,
  token,
  unsignedToken,
  type IdentityProvider,
  type SigningKey,
} from '../support/auth-fixtures';
import { json } from '../support/http';

const RUN = `matrix-${randomUUID().slice(0, 8)}`;
let idp: IdentityProvider;
let key: SigningKey;
let oidcApi: TestApi;
let keyApi: TestApi;
let workers: TestWorkers;
let routes: SecuredRoute[];
let sequence = 0;

beforeAll(async () => {
  key = await signingKey('RS256');
  idp = await startIdentityProvider([key]);
  workers = await startTestWorkers(['system']);
  oidcApi = await startTestApi({
    AUTH_MODE: 'oidc',
    AUTH_OIDC_JWKS_URL: idp.jwksUrl,
    AUTH_OIDC_ISSUER: idp.issuer,
    AUTH_OIDC_AUDIENCE: AUDIENCE,
    QUOTA_REQUESTS: '0',
  });
  keyApi = await startTestApi({ AUTH_MODE: 'apikey', AUTH_APIKEY_CACHE_SECONDS: '0', QUOTA_REQUESTS: '0' });
  routes = oidcApi.app.securedRoutes;
});
afterAll(async () => {
  await oidcApi?.close();
  await keyApi?.close();
  await workers?.stop();
  await idp?.close();
});

/** Path parameters get a well-formed dummy: authentication runs before validation, so any value would do. */
const concretePath = (url: string) => url.replace(/:[A-Za-z_]+/g, '00000000-0000-4000-8000-000000000000').replace(/\*/g, 'x');
const sendsBody = (method: string) => ['POST', 'PUT', 'PATCH'].includes(method);

function call(api: TestApi, route: SecuredRoute, headers: Record<string, string>, body = '{}') {
  return fetch(`${api.url}${concretePath(route.url)}`, {
    method: route.method,
    headers: { 'x-request-id': `${RUN}-${sequence++}`, ...(sendsBody(route.method) ? { 'content-type': 'application/json' } : {}), ...headers },
    body: sendsBody(route.method) ? body : undefined,
  });
}

/** A role the route does not allow, or none at all when every role may call it. */
const wrongRoles = (route: SecuredRoute): Role[] => {
  const outsider = allRoles.find((role) => !route.roles.includes(role));
  return outsider ? [outsider] : [];
};

type Credential = (route: SecuredRoute) => Promise<Record<string, string>>;

async function expectRefusals(api: TestApi, credential: Credential, status: 401 | 403, only = routes): Promise<void> {
  const failures: string[] = [];
  for (const route of only) {
    const response = await call(api, route, await credential(route));
    const where = `${route.method} ${route.url}`;
    if (response.status !== status) failures.push(`${where}: ${response.status}`);
    if (!response.headers.get('content-type')?.startsWith('application/problem+json')) failures.push(`${where}: content-type ${response.headers.get('content-type')}`);
    if (status === 401 && !response.headers.get('www-authenticate')) failures.push(`${where}: no WWW-Authenticate`);
    if (route.method === 'HEAD') continue;
    const problem = await json(response);
    const type = status === 401 ? 'unauthorized' : 'forbidden';
    if (problem.type !== `https://fluxo.dev/problems/${type}` || problem.status !== status) failures.push(`${where}: ${JSON.stringify(problem)}`);
  }
  expect(failures).toEqual([]);
}

test('the matrix covers every route that declares roles, including this issue\'s and the probe\'s', () => {
  const names = routes.map((route) => `${route.method} ${route.url}`);
  expect(names).toEqual(expect.arrayContaining(['POST /v1/probes', 'GET /v1/probes/:probe_id', 'GET /v1/schedules', 'POST /codec/decode', 'DELETE /v1/api-keys/:key_id']));
  // Every route under /v1 and /internal is in the table (the app refuses to register one without roles).
  expect(routes.every((route) => route.roles.length > 0)).toBe(true);
});

describe('oidc', () => {
  const cases: [string, 401 | 403, Credential][] = [
    ['no credentials', 401, async () => ({})],
    ['an expired token', 401, async () => bearer(await token(key, idp.issuer, { expiresIn: -120 }))],
    ['a token from another issuer', 401, async () => bearer(await token(key, idp.issuer, { issuer: 'https://evil.example/realms/fluxo' }))],
    ['a token for another audience', 401, async () => bearer(await token(key, idp.issuer, { audience: 'another-api' }))],
    ['a forged signature (payload edited after signing)', 401, async () => bearer(tamperedToken(await token(key, idp.issuer, { roles: ['viewer'] })))],
    ['a token signed with a key the provider does not publish, under a published kid', 401, async () => bearer(await token(impostor, idp.issuer))],
    ['alg: none', 401, async () => bearer(unsignedToken(idp.issuer))],
    ['a Basic credential', 401, async () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' })],
    ['a valid token without an allowed role', 403, async (route) => bearer(await token(key, idp.issuer, { roles: wrongRoles(route) }))],
  ];
  let impostor: SigningKey;
  beforeAll(async () => {
    impostor = await signingKey('RS256', key.kid);
  });
  test.each(cases)('%s → %d on every route', async (_name, status, credential) => {
    await expectRefusals(oidcApi, credential, status);
  });

  test('an allowed role passes authentication on every route that takes a body (the malformed body is then a 400)', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((candidate) => sendsBody(candidate.method))) {
      const response = await call(oidcApi, route, bearer(await token(key, idp.issuer, { roles: [route.roles[0]!] })), '{"not json');
      if (response.status !== 400) failures.push(`${route.method} ${route.url}: ${response.status}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('apikey', () => {
  test.each([
    ['no credentials', async () => ({})],
    ['an unknown key', async () => bearer(`fxk_${'A'.repeat(43)}`)],
    ['something that is not a key', async () => ({ 'x-api-key': 'hunter2' })],
  ] as [string, Credential][])('%s → 401 on every route', async (_name, credential) => {
    await expectRefusals(keyApi, credential, 401);
  });

  test('a revoked key → 401 on every route, though it worked before revocation', async () => {
    const { key: apiKey, record } = await apiKeyWith(keyApi.stores.postgres.pool(), ['admin']);
    expect((await fetch(`${keyApi.url}/v1/auth/me`, { headers: bearer(apiKey) })).status).toBe(200);
    expect(await revokeApiKey(keyApi.stores.postgres.pool(), record.keyId, 'test')).toBe(true);
    await expectRefusals(keyApi, async () => bearer(apiKey), 401);
  });

  test('a key without an allowed role → 403 on every route that some role may not call', async () => {
    const pool = keyApi.stores.postgres.pool();
    const keys = new Map<Role, string>();
    for (const role of allRoles) keys.set(role, (await apiKeyWith(pool, [role])).key);
    // A key has at least one role, so a route every role may call cannot refuse a key by role (oidc covers it).
    const restricted = routes.filter((route) => wrongRoles(route).length > 0);
    expect(restricted.length).toBeGreaterThan(0);
    await expectRefusals(keyApi, async (route) => bearer(keys.get(wrongRoles(route)[0]!)!), 403, restricted);
  });
});

test('none of the refused requests started a workflow; an allowed one did, recording its principal', async () => {
  const client = oidcApi.temporal.client;
  const controlId = `${RUN}-control`;
  const response = await fetch(`${oidcApi.url}/v1/probes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': controlId, ...bearer(await token(key, idp.issuer, { sub: 'matrix-operator', roles: ['operator'] })) },
    body: JSON.stringify({ message: 'matrix control' }),
  });
  expect(response.status).toBe(202);
  const { workflow_id: workflowId } = await json(response);
  // Once the control is visible, visibility has caught up with everything the matrix sent before it.
  await eventually(async () => ((await client.workflow.count(`RequestId = "${controlId}"`)).count === 1 ? true : undefined));
  expect((await client.workflow.count(`RequestId STARTS_WITH "${RUN}"`)).count).toBe(1);
  const description = await client.workflow.getHandle(workflowId).describe();
  expect(description.searchAttributes.Principal).toEqual(['matrix-operator']);
  expect(description.memo).toMatchObject({ principal: 'matrix-operator', request_id: controlId });
});

test('open routes stay open; an unknown /v1 path asks for credentials before saying 404', async () => {
  for (const path of ['/health', '/metrics', '/openapi.json', '/docs']) {
    expect([path, (await fetch(`${keyApi.url}${path}`)).status]).toEqual([path, 200]);
  }
  const anonymous = await fetch(`${keyApi.url}/v1/nothing-here`);
  expect(anonymous.status).toBe(401);
  const { key: apiKey } = await apiKeyWith(keyApi.stores.postgres.pool(), ['viewer']);
  expect((await fetch(`${keyApi.url}/v1/nothing-here`, { headers: bearer(apiKey) })).status).toBe(404);
});
