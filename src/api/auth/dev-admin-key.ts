/**
 * The local admin API key `npm run dev` prints: generated on first run, kept in plain text in
 * <FLUXO_HOME>/dev-admin-api-key (mode 0600, outside the clone) and hashed in the dev database, so the same key
 * works across runs. If the database lost it (recreated) it is stored again; if it was revoked, a new one is made.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Pool } from 'pg';
import type { Config } from '../../config';
import { createPostgresStore } from '../../stores/postgres';
import { createApiKey, findLiveApiKey, generateApiKey, hashApiKey, looksLikeApiKey, revokeApiKey } from './api-key-store';

export const DEV_ADMIN_KEY_NAME = 'local-dev-admin';
export const devAdminKeyFile = (fluxoHome: string) => join(fluxoHome, 'dev-admin-api-key');

export async function ensureDevAdminKey(pool: Pool, file: string): Promise<{ key: string; created: boolean }> {
  const saved = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  if (saved && looksLikeApiKey(saved) && (await findLiveApiKey(pool, hashApiKey(saved)))) return { key: saved, created: false };

  // Reuse the saved key if the database merely lost it; a revoked one is never revived.
  const { rows } = saved && looksLikeApiKey(saved) ? await pool.query('SELECT 1 FROM api_keys WHERE key_hash = $1', [hashApiKey(saved)]) : { rows: [] };
  const key = saved && looksLikeApiKey(saved) && rows.length === 0 ? saved : generateApiKey();
  // The name is unique among live keys: retire an older live dev key (e.g. its file was deleted).
  const { rows: live } = await pool.query('SELECT key_id FROM api_keys WHERE name = $1 AND revoked_at IS NULL', [DEV_ADMIN_KEY_NAME]);
  for (const row of live) await revokeApiKey(pool, row.key_id, 'npm run dev (replaced)');
  await createApiKey(pool, { name: DEV_ADMIN_KEY_NAME, roles: ['admin'], createdBy: 'npm run dev', key });

  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { key, created: true };
}

/** For `npm run dev`: the lines to print about the local admin credential (none unless AUTH_MODE=apikey). */
export async function devCredentialLines(config: Config, fluxoHome: string): Promise<string[]> {
  if (config.AUTH_MODE !== 'apikey') return [`  Auth                AUTH_MODE=${config.AUTH_MODE}`];
  const postgres = createPostgresStore(config);
  try {
    const file = devAdminKeyFile(fluxoHome);
    const { key } = await ensureDevAdminKey(postgres.pool(), file);
    return [`  Admin API key       ${key}`, `                      (kept in ${file}; send it as Authorization: Bearer <key>)`];
  } finally {
    await postgres.close();
  }
}
