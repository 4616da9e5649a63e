/**
 * API keys (the default mode) end to end: administration over HTTP and the CLI, hashing at rest, expiry,
 * immediate revocation in the revoking process, the stable local admin key of `npm run dev`; and the `none`
 * mode's rules (never the default, loud, refused in production).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeyWith, bearer } from '../support/auth-fixtures';
import { createApiKey, hashApiKey, revokeApiKey } from '../../src/api/auth/api-key-store';
import { DEV_ADMIN_KEY_NAME, ensureDevAdminKey } from '../../src/api/auth/dev-admin-key';
import { loadConfig } from '../../src/config';
import { startTestApi, type TestApi } from '../support/app';
import { json } from '../support/http';

const ROOT = join(__dirname, '..', '..');
let api: TestApi;
let admin: string;

beforeAll(async () => {
  // A long cache, to show that a revocation through the API is immediate in the process that revoked.
  api = await startTestApi({ AUTH_MODE: 'apikey', AUTH_APIKEY_CACHE_SECONDS: '60', QUOTA_REQUESTS: '0' });
  admin = (await apiKeyWith(api.stores.postgres.pool(), ['admin'])).key;
});
afterAll(async () => {
  await api?.close();
});

const pool = () => api.stores.postgres.pool();
const call = (path: string, key: string | undefined, init: RequestInit = {}) =>
  fetch(`${api.url}${path}`, {
    ...init,
    headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(key ? bearer(key) : {}), ...(init.headers as Record<string, string>) },
  });

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/apikey.ts', ...args], { cwd: ROOT, env: process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

test('out of the box the mode is apikey and anonymous calls are refused', async () => {
  expect(loadConfig({}).AUTH_MODE).toBe('apikey');
  const response = await call('/v1/auth/me', undefined);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer realm="fluxo"');
  expect((await json(response)).detail).toBe('GET /v1/auth/me requires authentication (send Authorization: Bearer <api key>)');
});

test('an admin creates a scoped key (shown once, stored hashed), it works, and revoking it is immediate', async () => {
  const name = `svc-${Date.now()}`;
  const created = await call('/v1/api-keys', admin, { method: 'POST', body: JSON.stringify({ name, roles: ['service', 'service'] }) });
  expect(created.status).toBe(201);
  const body = await json(created);
  expect(body).toMatchObject({ name, roles: ['service'], revoked_at: null, created_by: expect.stringMatching(/^apikey:test-/) });
  expect(body.key).toMatch(/^fxk_[A-Za-z0-9_-]{43}$/);

  const { rows } = await pool().query('SELECT key_hash, key_prefix FROM api_keys WHERE key_id = $1', [body.key_id]);
  expect(rows).toEqual([{ key_hash: hashApiKey(body.key), key_prefix: body.key.slice(0, 12) }]);
  const listed = await json(await call('/v1/api-keys', admin));
  expect(JSON.stringify(listed)).not.toContain(body.key);
  expect(listed.api_keys.map((key: { name: string }) => key.name)).toContain(name);

  // All three ways of presenting a key.
  for (const headers of [bearer(body.key), { authorization: `ApiKey ${body.key}` }, { 'x-api-key': body.key }]) {
    expect(await json(await call('/v1/auth/me', undefined, { headers }))).toEqual({ principal: `apikey:${name}`, roles: ['service'] });
  }
  // Scoped: a service key may not manage keys.
  expect((await call('/v1/api-keys', body.key)).status).toBe(403);
  expect((await call('/v1/api-keys', admin, { method: 'POST', body: JSON.stringify({ name, roles: ['viewer'] }) })).status).toBe(409);

  expect((await call(`/v1/api-keys/${body.key_id}`, admin, { method: 'DELETE' })).status).toBe(204);
  expect((await call('/v1/auth/me', body.key)).status).toBe(401);
  expect((await call(`/v1/api-keys/${body.key_id}`, admin, { method: 'DELETE' })).status).toBe(404);
});

test('bad key requests are 400 naming each field, and create nothing', async () => {
  const response = await call('/v1/api-keys', admin, { method: 'POST', body: JSON.stringify({ name: 'bad name!', roles: ['root'], colour: 'red' }) });
  expect(response.status).toBe(400);
  const names = (await json(response)).invalid_params.map((param: { name: string }) => param.name).sort();
  expect(names).toEqual(['body.colour', 'body.name', 'body.roles.0']);
  expect((await pool().query("SELECT count(*)::int AS n FROM api_keys WHERE name = 'bad name!'")).rows[0].n).toBe(0);
});

test('an expired key is refused', async () => {
  const { key } = await createApiKey(pool(), { name: `expired-${Date.now()}`, roles: ['admin'], createdBy: 'test', expiresAt: new Date(Date.now() - 1000) });
  expect((await call('/v1/auth/me', key)).status).toBe(401);
});

test('npm run apikey creates, lists and revokes keys', async () => {
  const name = `cli-${Date.now()}`;
  const created = await run(['create', '--name', name, '--roles', 'operator,viewer']);
  expect(created.code).toBe(0);
  const key = /key\s+(fxk_\S+)/.exec(created.stdout)?.[1];
  const keyId = /key_id\s+(\S+)/.exec(created.stdout)?.[1];
  expect(await json(await call('/v1/auth/me', key))).toEqual({ principal: `apikey:${name}`, roles: ['operator', 'viewer'] });
  expect((await run(['list'])).stdout).toContain(name);
  expect((await run(['revoke', keyId!])).code).toBe(0);
  expect((await run(['list'])).stdout).not.toContain(name);
  const again = await run(['revoke', keyId!]);
  expect([again.code, again.stderr.trim()]).toEqual([1, `apikey: no live API key ${keyId}`]);
  expect((await run(['create', '--name', 'x'])).stderr).toMatch(/^apikey: usage: /);
}, 60_000);

test('the dev admin key is stable across runs, kept 0600, stored again if the database lost it, replaced if revoked', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'fluxo-devkey-')), 'dev-admin-api-key');
  const first = await ensureDevAdminKey(pool(), file);
  expect(first.created).toBe(true);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(file, 'utf8').trim()).toBe(first.key);
  expect(await ensureDevAdminKey(pool(), file)).toEqual({ key: first.key, created: false });
  expect(await json(await call('/v1/auth/me', first.key))).toEqual({ principal: `apikey:${DEV_ADMIN_KEY_NAME}`, roles: ['admin'] });

  await pool().query('DELETE FROM api_keys WHERE key_hash = $1', [hashApiKey(first.key)]);
  expect(await ensureDevAdminKey(pool(), file)).toEqual({ key: first.key, created: true });

  const { rows } = await pool().query('SELECT key_id FROM api_keys WHERE key_hash = $1', [hashApiKey(first.key)]);
  await revokeApiKey(pool(), rows[0].key_id, 'test');
  const replaced = await ensureDevAdminKey(pool(), file);
  expect(replaced.created).toBe(true);
  expect(replaced.key).not.toBe(first.key);
  expect(readFileSync(file, 'utf8').trim()).toBe(replaced.key);
});

describe('AUTH_MODE=none', () => {
  test('callers may name themselves with X-User-Id and narrow their roles with X-Roles; by default anonymous admins', async () => {
    const dev = await startTestApi({ AUTH_MODE: 'none' });
    try {
      expect(await json(await fetch(`${dev.url}/v1/auth/me`))).toEqual({ principal: 'anonymous', roles: ['admin'] });
      const named = await fetch(`${dev.url}/v1/auth/me`, { headers: { 'x-user-id': 'dev-user', 'x-roles': 'viewer' } });
      expect(await json(named)).toEqual({ principal: 'dev-user', roles: ['viewer'] });
      expect(await json(await fetch(`${dev.url}/v1/auth/me`, { headers: { 'x-user-id': 'dev-admin' } }))).toEqual({ principal: 'dev-admin', roles: ['admin'] });
      expect((await fetch(`${dev.url}/v1/auth/routes`, { headers: { 'x-user-id': 'dev-user', 'x-roles': 'viewer' } })).status).toBe(403);
    } finally {
      await dev.close();
    }
  });

  test('is refused when NODE_ENV=production (one line, exit 1) and warns loudly otherwise', async () => {
    const launch = (env: Record<string, string>) => {
      const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/api/main.ts'], { cwd: ROOT, env: { ...process.env, API_PORT: '0', ...env } });
      const output = { stderr: '' };
      child.stderr.on('data', (chunk) => (output.stderr += chunk));
      return { child, output, exited: new Promise<number | null>((resolve) => child.on('exit', resolve)) };
    };
    const production = launch({ AUTH_MODE: 'none', NODE_ENV: 'production' });
    expect(await production.exited).toBe(1);
    expect(production.output.stderr.trim()).toBe('api: AUTH_MODE=none is refused when NODE_ENV=production: choose oidc, gateway or apikey');

    const development = launch({ AUTH_MODE: 'none', NODE_ENV: 'development', LOG_LEVEL: 'silent' });
    const deadline = Date.now() + 30_000;
    while (!development.output.stderr.includes('WARNING') && Date.now() < deadline && development.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    development.child.kill('SIGTERM');
    await development.exited;
    expect(development.output.stderr).toContain('*** WARNING: AUTH_MODE=none: the API accepts anyone as admin.');
  }, 60_000);
});
