/**
 * Quotas (per principal, 429 + Retry-After, then recovery), CORS allow-list (API origins, and the Temporal
 * Web UI's origin for the codec endpoint only), and body size limits, on a real API.
 */
import { startTestApi, type TestApi } from '../support/app';
import { json } from '../support/http';

const OPS = 'https://ops.example.com';
const UI = 'http://127.0.0.1:8233';
let api: TestApi;

beforeAll(async () => {
  // 3 requests per 2 s: a spent bucket earns a request back every ~0.7 s, so Retry-After is 1 s.
  api = await startTestApi({
    AUTH_MODE: 'none',
    QUOTA_REQUESTS: '3',
    QUOTA_WINDOW_SECONDS: '2',
    CORS_ALLOWED_ORIGINS: `${OPS}, http://localhost:5173`,
    TEMPORAL_UI_URL: UI,
    API_BODY_LIMIT_BYTES: '2048',
  });
});
afterAll(async () => {
  await api?.close();
});

const as = (principal: string, extra: Record<string, string> = {}) => ({ 'x-user-id': principal, 'x-roles': 'admin', ...extra });
const me = (headers: Record<string, string>) => fetch(`${api.url}/v1/auth/me`, { headers });

test('a principal past its quota gets 429 problem+json with Retry-After, others are unaffected, and it recovers', async () => {
  const principal = `quota-${Date.now()}`;
  const remaining: (string | null)[] = [];
  for (let i = 0; i < 3; i++) {
    const response = await me(as(principal));
    expect(response.status).toBe(200);
    remaining.push(response.headers.get('ratelimit-remaining'));
  }
  expect(remaining).toEqual(['2', '1', '0']);

  const refused = await me(as(principal));
  expect(refused.status).toBe(429);
  expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const retryAfter = Number(refused.headers.get('retry-after'));
  expect(retryAfter).toBe(1);
  expect(await json(refused)).toMatchObject({ type: 'https://fluxo.dev/problems/quota-exceeded', status: 429, retry_after_seconds: 1 });

  expect((await me(as(`${principal}-other`))).status).toBe(200);
  // Open routes are not metered.
  for (let i = 0; i < 5; i++) expect((await fetch(`${api.url}/health`)).status).toBe(200);

  // The codec endpoint is not metered: the Web UI calls it for every page of events.
  for (let i = 0; i < 5; i++) {
    const decoded = await fetch(`${api.url}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...as(principal) }, body: '{"payloads":[]}' });
    expect(decoded.status).toBe(200);
  }

  await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  expect((await me(as(principal))).status).toBe(200);
  expect(await (await fetch(`${api.url}/metrics`)).text()).toMatch(/^fluxo_quota_rejections_total [1-9]/m);
});

test('CORS: allowed origins get the headers and their preflights; others get neither', async () => {
  const allowed = await me(as('cors-user', { origin: OPS }));
  expect(allowed.headers.get('access-control-allow-origin')).toBe(OPS);
  expect(allowed.headers.get('vary')).toMatch(/Origin/);
  expect(allowed.headers.get('access-control-expose-headers')).toContain('retry-after');

  const stranger = await me(as('cors-user-2', { origin: 'https://evil.example' }));
  expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

  const preflight = (path: string, origin: string) =>
    fetch(`${api.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
  const ok = await preflight('/v1/probes', 'http://localhost:5173');
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
  expect(ok.headers.get('access-control-allow-headers')).toBe('authorization, content-type');

  const refused = await preflight('/v1/probes', 'https://evil.example');
  expect(refused.status).toBe(403);
  expect((await json(refused)).type).toBe('https://fluxo.dev/problems/cors-origin-not-allowed');

  // The Temporal Web UI may call the codec endpoint, and nothing else.
  expect((await preflight('/codec/decode', UI)).status).toBe(204);
  expect((await preflight('/v1/probes', UI)).status).toBe(403);
});

test('a wildcard or a URL with a path is not an origin, and stops start-up', async () => {
  await expect(startTestApi({ CORS_ALLOWED_ORIGINS: '*' })).rejects.toThrow('CORS_ALLOWED_ORIGINS: * is not an origin');
  await expect(startTestApi({ CORS_ALLOWED_ORIGINS: 'https://ops.example.com/app' })).rejects.toThrow(/not an origin/);
});

test('a body over the limit is 413 problem+json for a caller, and an unauthenticated one is refused before it is read', async () => {
  const big = JSON.stringify({ message: 'x'.repeat(4096) });
  const tooLarge = await fetch(`${api.url}/v1/probes`, { method: 'POST', headers: { 'content-type': 'application/json', ...as('big-body') }, body: big });
  expect(tooLarge.status).toBe(413);
  expect(await json(tooLarge)).toMatchObject({ type: 'https://fluxo.dev/problems/payload-too-large', status: 413 });

  const keyApi = await startTestApi({ AUTH_MODE: 'apikey', API_BODY_LIMIT_BYTES: '2048' });
  try {
    const anonymous = await fetch(`${keyApi.url}/v1/probes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(anonymous.status).toBe(401);
  } finally {
    await keyApi.close();
  }
});
