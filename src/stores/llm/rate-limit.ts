/**
 * The LLM rate limit shared by every worker process: a token bucket per name in PostgreSQL (alert_llm_rate_limit),
 * refilled continuously at `ratePerSecond` up to `burst`. Taking a token is one statement that locks the bucket's
 * row, so concurrent workers never take the same token.
 */
import type { Pool } from 'pg';

export interface RateLimitDecision {
  granted: boolean;
  /** When not granted: how long until a token is due. */
  waitMs: number;
}

export interface LlmRateLimiter {
  tryAcquire(): Promise<RateLimitDecision>;
}

const TAKE_SQL = `
WITH current AS (
  SELECT name, least($3::float8, tokens + extract(epoch FROM clock_timestamp() - refilled_at)::float8 * $2::float8) AS available
  FROM alert_llm_rate_limit WHERE name = $1
  FOR UPDATE
)
UPDATE alert_llm_rate_limit bucket
SET tokens = CASE WHEN current.available >= 1 THEN current.available - 1 ELSE current.available END,
    refilled_at = clock_timestamp()
FROM current WHERE bucket.name = current.name
RETURNING current.available`;

export function pgRateLimiter(pool: () => Pool, options: { name: string; ratePerSecond: number; burst: number }): LlmRateLimiter {
  let created = false;
  return {
    async tryAcquire() {
      if (!created) {
        await pool().query(
          'INSERT INTO alert_llm_rate_limit (name, tokens, refilled_at) VALUES ($1, $2, clock_timestamp()) ON CONFLICT (name) DO NOTHING',
          [options.name, options.burst],
        );
        created = true;
      }
      const { rows } = await pool().query<{ available: number }>(TAKE_SQL, [options.name, options.ratePerSecond, options.burst]);
      const available = rows[0]?.available ?? 0;
      if (available >= 1) return { granted: true, waitMs: 0 };
      return { granted: false, waitMs: Math.ceil(((1 - available) / options.ratePerSecond) * 1000) };
    },
  };
}
