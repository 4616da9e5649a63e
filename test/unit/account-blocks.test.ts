/**
 * The ledger's blocked-account check when PostgreSQL cannot be reached (a restart, an outage): the entry is
 * refused with 503 + Retry-After, never accepted unchecked and never a 500. A pool pointed at a closed port
 * gives the real driver's connection error.
 */
import { Pool } from 'pg';
import { assertAccountsOpen } from '../../src/api/alerts/account-blocks';
import { ProblemError } from '../../src/api/problem';
import { loadConfig } from '../../src/config';
import type { PostgresStore } from '../../src/stores/postgres';

test('blocks that cannot be read answer 503 with Retry-After', async () => {
  const pool = new Pool({ connectionString: 'postgresql://postgres@127.0.0.1:1/unreachable', connectionTimeoutMillis: 2000 });
  const postgres = { pool: () => pool } as unknown as PostgresStore;
  try {
    const refusal = await assertAccountsOpen({ stores: { postgres } as never, config: loadConfig() }, ['acc-1']).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ProblemError);
    expect(refusal).toMatchObject({ status: 503 });
    expect((refusal as ProblemError).message).toMatch(/account blocks cannot be read/);
    expect((refusal as ProblemError).headers).toEqual({ 'retry-after': '2' });
  } finally {
    await pool.end();
  }
});
