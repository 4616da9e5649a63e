/**
 * Each import stages its valid rows in a table of its own, `catalog_stage_<import id>`: loaded with COPY (the
 * fastest way into PostgreSQL), read by the apply and by the compensation (which skus the import touched),
 * and dropped when the run ends, which is instant whatever its size (a DELETE of a million rows is not).
 * UNLOGGED: the rows are rebuilt from the CSV after a crash, so writing them to the WAL would only slow
 * imports down.
 */
import type { Pool, PoolClient } from 'pg';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The staging table's name (quoted identifier), from the import id (a uuid, so the name is safe). */
export function stageTable(importId: string): string {
  if (!UUID.test(importId)) throw new Error(`import id ${importId} is not a lower-case uuid`);
  return `"catalog_stage_${importId.replace(/-/g, '')}"`;
}

export const STAGE_COLUMNS = 'row_number, line_number, sku, name, price, category, active, attributes';

export async function createStage(client: Pool | PoolClient, importId: string): Promise<void> {
  const table = stageTable(importId);
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  // No primary key while loading (COPY is faster without one); the apply sorts by sku itself.
  await client.query(`CREATE UNLOGGED TABLE ${table} (
    row_number  integer NOT NULL,
    line_number integer NOT NULL,
    sku         text COLLATE "C" NOT NULL,
    name        text NOT NULL,
    price       numeric(12, 2) NOT NULL,
    category    text NOT NULL,
    active      boolean NOT NULL,
    attributes  jsonb NOT NULL
  )`);
}

export async function dropStage(client: Pool | PoolClient, importId: string): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${stageTable(importId)}`);
}

export async function stageExists(client: Pool | PoolClient, importId: string): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [stageTable(importId)]);
  return rows[0]!.exists;
}
