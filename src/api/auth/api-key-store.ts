/**
 * API keys in PostgreSQL (migrations/0700_security.sql): created with a name and roles, stored as a SHA-256,
 * revocable. The plain key is shown once, at creation. Used by the apikey authenticator, `npm run apikey`,
 * `npm run dev` (the local admin key) and the admin routes.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { roles as knownRoles, type Role } from '../../domain/roles';

/** Recognisable prefix: secret scanners and humans can tell a fluxo key from a JWT. */
export const API_KEY_PREFIX = 'fxk_';
const API_KEY = /^fxk_[A-Za-z0-9_-]{43}$/;
export const API_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export interface ApiKeyRecord {
  keyId: string;
  name: string;
  keyPrefix: string;
  roles: Role[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export const looksLikeApiKey = (value: string) => API_KEY.test(value);
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const principalOfKey = (name: string) => `apikey:${name}`;

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export class ApiKeyNameTaken extends Error {
  constructor(name: string) {
    super(`a live API key named ${name} already exists; revoke it first or choose another name`);
    this.name = 'ApiKeyNameTaken';
  }
}

export interface CreateApiKeyInput {
  name: string;
  roles: Role[];
  createdBy: string;
  expiresAt?: Date;
  /** A given key (the dev admin key kept in a file); normally generated here. */
  key?: string;
}

export async function createApiKey(pool: Pool, input: CreateApiKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
  if (!API_KEY_NAME.test(input.name)) throw new Error(`API key name ${JSON.stringify(input.name)} must match ${API_KEY_NAME.source}`);
  const bad = input.roles.filter((role) => !knownRoles.includes(role));
  if (input.roles.length === 0 || bad.length > 0) throw new Error(`API key roles must be some of ${knownRoles.join(', ')}`);
  const key = input.key ?? generateApiKey();
  if (!looksLikeApiKey(key)) throw new Error('not a fluxo API key');
  try {
    const { rows } = await pool.query(
      `INSERT INTO api_keys (key_id, name, key_hash, key_prefix, roles, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [randomUUID(), input.name, hashApiKey(key), key.slice(0, 12), input.roles, input.createdBy, input.expiresAt ?? null],
    );
    return { key, record: toRecord(rows[0]) };
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ApiKeyNameTaken(input.name);
    throw error;
  }
}

/** Revokes a live key; false when there is no such live key (unknown id, or already revoked). */
export async function revokeApiKey(pool: Pool, keyId: string, revokedBy: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE key_id = $1 AND revoked_at IS NULL',
    [keyId, revokedBy],
  );
  return (rowCount ?? 0) > 0;
}

export async function listApiKeys(pool: Pool, includeRevoked = false): Promise<ApiKeyRecord[]> {
  const { rows } = await pool.query(
    `SELECT * FROM api_keys ${includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at, name`,
  );
  return rows.map(toRecord);
}

/** The live (not revoked, not expired) key with this hash. */
export async function findLiveApiKey(pool: Pool, keyHash: string): Promise<ApiKeyRecord | undefined> {
  const { rows } = await pool.query(
    `SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [keyHash],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** Records use at minute granularity: a write per request would cost more than the lookup. */
export async function touchApiKey(pool: Pool, keyId: string): Promise<void> {
  await pool.query(
    `UPDATE api_keys SET last_used_at = now()
      WHERE key_id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [keyId],
  );
}

function iso(value: unknown): string | null {
  return value instanceof Date ? value.toISOString() : value == null ? null : String(value);
}

function toRecord(row: Record<string, unknown>): ApiKeyRecord {
  return {
    keyId: String(row.key_id),
    name: String(row.name),
    keyPrefix: String(row.key_prefix),
    roles: row.roles as Role[],
    createdAt: iso(row.created_at)!,
    createdBy: String(row.created_by),
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
  };
}
