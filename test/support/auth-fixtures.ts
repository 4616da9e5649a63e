/**
 * Identity fixtures for the security tests: an OpenID provider's JWKS served by a loopback HTTP server (keys
 * can be rotated while it runs), tokens signed like Keycloak's (roles in realm_access.roles), the broken
 * tokens of the auth matrix, and API keys created in the test database.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Pool } from 'pg';
import { createApiKey } from '../../src/api/auth/api-key-store';
import type { Role } from '../../src/domain/roles';

export const AUDIENCE = 'fluxo-api';

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function signingKey(alg: 'RS256' | 'ES256' = 'RS256', kid = `key-${randomUUID().slice(0, 8)}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface IdentityProvider {
  issuer: string;
  jwksUrl: string;
  /** Keys currently published in the JWKS. */
  publish(keys: SigningKey[]): void;
  /** How many times the JWKS was fetched (to see rotation refetch). */
  fetches(): number;
  /** Makes the JWKS endpoint answer 500 (provider outage). */
  fail(failing: boolean): void;
  close(): Promise<void>;
}

/** A Keycloak-shaped issuer on 127.0.0.1: `<issuer>/protocol/openid-connect/certs` serves the JWKS. */
export async function startIdentityProvider(initial: SigningKey[]): Promise<IdentityProvider> {
  let keys = initial;
  let count = 0;
  let failing = false;
  const server: Server = createServer((request, response) => {
    count++;
    if (failing || !request.url?.endsWith('/protocol/openid-connect/certs')) {
      response.writeHead(failing ? 500 : 404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/fluxo`;
  return {
    issuer,
    jwksUrl: `${issuer}/protocol/openid-connect/certs`,
    publish: (next) => (keys = next),
    fetches: () => count,
    fail: (value) => (failing = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TokenOptions {
  sub?: string;
  roles?: Role[] | string[];
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative = already expired. */
  expiresIn?: number;
}

export async function token(key: SigningKey, issuer: string, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ realm_access: { roles: options.roles ?? ['admin'] }, preferred_username: options.sub ?? 'alice' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(options.sub ?? 'alice')
    .setIssuer(options.issuer ?? issuer)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (options.expiresIn ?? 300))
    .sign(key.privateKey);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured JWT (`alg: none`) with otherwise perfect claims. */
export function unsignedToken(issuer: string, roles: string[] = ['admin']): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'mallory', iss: issuer, aud: AUDIENCE, iat: now, exp: now + 300, realm_access: { roles } };
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

/** A token whose payload was edited after signing (roles escalated): the signature no longer matches. */
export function tamperedToken(valid: string, roles: string[] = ['admin']): string {
  const [header, payload] = valid.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims.realm_access = { roles };
  claims.sub = 'mallory';
  return `${header}.${b64url(claims)}.${valid.split('.')[2]}`;
}

export async function apiKeyWith(pool: Pool, roles: Role[], name = `test-${randomUUID().slice(0, 8)}`) {
  return createApiKey(pool, { name, roles, createdBy: 'test' });
}

export const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
