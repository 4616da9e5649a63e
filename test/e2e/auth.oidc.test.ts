/**
 * OIDC against a JWKS served by a loopback server, as Keycloak serves it: key rotation without a restart,
 * algorithm confusion refused, a provider outage answered 503 (never let in), configurable claims, clock skew.
 */
import { exportSPKI, SignJWT } from 'jose';
import { startTestApi, type TestApi } from '../support/app';
import { AUDIENCE, bearer, signingKey, startIdentityProvider, token, type IdentityProvider, type SigningKey } from '../support/auth-fixtures';
import { json } from '../support/http';

let idp: IdentityProvider;
let first: SigningKey;
let api: TestApi;

const oidcSettings = () => ({
  AUTH_MODE: 'oidc',
  AUTH_OIDC_JWKS_URL: idp.jwksUrl,
  AUTH_OIDC_ISSUER: idp.issuer,
  AUTH_OIDC_AUDIENCE: AUDIENCE,
  AUTH_OIDC_JWKS_COOLDOWN_MS: '0',
  QUOTA_REQUESTS: '0',
});

beforeAll(async () => {
  first = await signingKey('RS256', 'rotation-1');
  idp = await startIdentityProvider([first]);
  api = await startTestApi(oidcSettings());
});
afterAll(async () => {
  await api?.close();
  await idp?.close();
});

const me = (headers: Record<string, string>, target = api) => fetch(`${target.url}/v1/auth/me`, { headers });

test('a Keycloak-style token authenticates: principal from sub, roles from realm_access.roles (unknown roles ignored)', async () => {
  const response = await me(bearer(await token(first, idp.issuer, { sub: 'ana', roles: ['operator', 'offline_access', 'uma_authorization'] })));
  expect(response.status).toBe(200);
  expect(await json(response)).toEqual({ principal: 'ana', roles: ['operator'] });
});

test('the provider rotates its keys: a new kid is fetched without a restart, a retired key stops working', async () => {
  const second = await signingKey('ES256', 'rotation-2');
  const third = await signingKey('RS256', 'rotation-3');
  expect((await me(bearer(await token(first, idp.issuer)))).status).toBe(200);

  // Keycloak publishes the new key next to the old one, then signs with it.
  idp.publish([first, second]);
  const before = idp.fetches();
  expect((await me(bearer(await token(second, idp.issuer, { sub: 'after-rotation' })))).status).toBe(200);
  expect(idp.fetches()).toBe(before + 1);
  // Both keys are now known: no further fetch.
  expect((await me(bearer(await token(first, idp.issuer)))).status).toBe(200);
  expect(idp.fetches()).toBe(before + 1);

  // The old key is retired; the next refetch (caused by the next new kid) drops it.
  idp.publish([second, third]);
  expect((await me(bearer(await token(third, idp.issuer)))).status).toBe(200);
  const retired = await me(bearer(await token(first, idp.issuer)));
  expect(retired.status).toBe(401);
  expect((await json(retired)).detail).toMatch(/key the provider does not publish/);
  idp.publish([first]);
});

test('algorithm confusion: an HS256 token keyed with the provider\'s public key is refused', async () => {
  const publicPem = await exportSPKI((await import('node:crypto')).createPublicKey({ key: first.publicJwk as never, format: 'jwk' }) as never);
  const now = Math.floor(Date.now() / 1000);
  const forged = await new SignJWT({ realm_access: { roles: ['admin'] } })
    .setProtectedHeader({ alg: 'HS256', kid: first.kid })
    .setSubject('mallory')
    .setIssuer(idp.issuer)
    .setAudience(AUDIENCE)
    .setExpirationTime(now + 300)
    .sign(new TextEncoder().encode(publicPem));
  const response = await me(bearer(forged));
  expect(response.status).toBe(401);
  expect((await json(response)).detail).toBe('token algorithm is not allowed');
});

test('HS256 works only when configured with a shared secret; none and unknown algorithms cannot be configured', async () => {
  const secret = 'a-shared-secret-of-at-least-32-characters!';
  const hmacApi = await startTestApi({ ...oidcSettings(), AUTH_OIDC_ALGORITHMS: 'RS256,HS256', AUTH_OIDC_HMAC_SECRET: secret });
  try {
    const now = Math.floor(Date.now() / 1000);
    const hmacToken = await new SignJWT({ realm_access: { roles: ['analyst'] } })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('hmac-user')
      .setIssuer(idp.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(secret));
    expect(await json(await me(bearer(hmacToken), hmacApi))).toEqual({ principal: 'hmac-user', roles: ['analyst'] });
    expect((await me(bearer(await token(first, idp.issuer)), hmacApi)).status).toBe(200);
  } finally {
    await hmacApi.close();
  }
  await expect(startTestApi({ ...oidcSettings(), AUTH_OIDC_ALGORITHMS: 'HS256' })).rejects.toThrow(/AUTH_OIDC_HMAC_SECRET is not set/);
  await expect(startTestApi({ ...oidcSettings(), AUTH_OIDC_ALGORITHMS: 'RS256,none' })).rejects.toThrow(/not allowed: none/);
  await expect(startTestApi({ AUTH_MODE: 'oidc' })).rejects.toThrow('AUTH_MODE=oidc needs AUTH_OIDC_JWKS_URL, AUTH_OIDC_ISSUER, AUTH_OIDC_AUDIENCE');
});

test('a provider outage is a 503 for keys not yet known, while cached keys keep working', async () => {
  const unseen = await signingKey('RS256', 'never-fetched');
  expect((await me(bearer(await token(first, idp.issuer)))).status).toBe(200);
  idp.fail(true);
  try {
    const outage = await me(bearer(await token(unseen, idp.issuer)));
    expect(outage.status).toBe(503);
    expect(outage.headers.get('retry-after')).toBe('5');
    expect((await json(outage)).type).toBe('https://fluxo.dev/problems/unavailable');
    expect((await me(bearer(await token(first, idp.issuer)))).status).toBe(200);
  } finally {
    idp.fail(false);
  }
});

test('a token just past its expiry is accepted within the clock skew', async () => {
  expect((await me(bearer(await token(first, idp.issuer, { expiresIn: -10 })))).status).toBe(200);
  expect((await me(bearer(await token(first, idp.issuer, { expiresIn: -45 })))).status).toBe(401);
});

test('the principal and roles claims are configurable (client roles, preferred_username)', async () => {
  const clientRolesApi = await startTestApi({
    ...oidcSettings(),
    AUTH_OIDC_ROLES_CLAIM: 'resource_access.fluxo-api.roles',
    AUTH_OIDC_PRINCIPAL_CLAIM: 'preferred_username',
  });
  try {
    const now = Math.floor(Date.now() / 1000);
    const clientToken = await new SignJWT({ preferred_username: 'bruno', resource_access: { 'fluxo-api': { roles: ['viewer'] } }, realm_access: { roles: ['admin'] } })
      .setProtectedHeader({ alg: 'RS256', kid: first.kid })
      .setSubject('f1d2c3')
      .setIssuer(idp.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime(now + 60)
      .sign(first.privateKey);
    expect(await json(await me(bearer(clientToken), clientRolesApi))).toEqual({ principal: 'bruno', roles: ['viewer'] });
  } finally {
    await clientRolesApi.close();
  }
});
