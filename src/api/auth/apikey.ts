/**
 * `AUTH_MODE=apikey` (the default): `Authorization: Bearer fxk_…` (or `ApiKey fxk_…`, or `X-API-Key: fxk_…`).
 * The key's SHA-256 is looked up in PostgreSQL; a hit is remembered for AUTH_APIKEY_CACHE_SECONDS so a busy
 * caller costs one query per interval, which bounds how long a revoked key keeps working in other processes.
 */
import type { Pool } from 'pg';
import type { Config } from '../../config';
import type { Authenticator } from './authenticator';
import { findLiveApiKey, hashApiKey, looksLikeApiKey, principalOfKey, touchApiKey } from './api-key-store';
import { authorization, headerValue } from './headers';
import type { Principal } from './principal';
import { CredentialRejected } from './problems';

export function presentedApiKey(request: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const header = headerValue(request.headers['x-api-key']);
  if (header) return header;
  const auth = authorization(request);
  if (!auth) return undefined;
  if (auth.scheme !== 'bearer' && auth.scheme !== 'apikey') {
    throw new CredentialRejected('malformed', 'expected Authorization: Bearer <api key>');
  }
  return auth.credentials;
}

export function createApiKeyAuthenticator(config: Config, pool: Pool): Authenticator {
  const ttlMs = config.AUTH_APIKEY_CACHE_SECONDS * 1000;
  const cache = new Map<string, { principal: Principal; until: number }>();

  return {
    mode: 'apikey',
    challenge: 'Bearer realm="fluxo"',
    async authenticate(request) {
      const key = presentedApiKey(request);
      if (key === undefined) return undefined;
      if (!looksLikeApiKey(key)) throw new CredentialRejected('malformed', 'not a fluxo API key');
      const hash = hashApiKey(key);
      const now = Date.now();
      const cached = cache.get(hash);
      if (cached && cached.until > now) return cached.principal;
      cache.delete(hash);

      const record = await findLiveApiKey(pool, hash);
      if (!record) throw new CredentialRejected('unknown-or-revoked', 'API key unknown, revoked or expired');
      const principal: Principal = { id: principalOfKey(record.name), roles: record.roles, method: 'apikey' };
      if (ttlMs > 0) {
        if (cache.size > 10_000) cache.clear();
        const expiresAt = record.expiresAt ? Date.parse(record.expiresAt) : Infinity;
        cache.set(hash, { principal, until: Math.min(now + ttlMs, expiresAt) });
      }
      touchApiKey(pool, record.keyId).catch((error: Error) => request.log.warn({ err: error }, 'could not record API key use'));
      return principal;
    },
    forget() {
      cache.clear();
    },
  };
}
