/**
 * Reads a catalog's items as snapshot lines, in sku order, page by page (keyset pagination on the primary key),
 * inside one REPEATABLE READ transaction: every page sees the same state of the catalog however long the read
 * takes, and memory holds one page at a time.
 *
 * PostgreSQL writes the lines (format: src/domain/catalog/item.ts) and, for the snapshot, joins a whole page
 * into one text: a million items cost a hundred rows on the wire instead of a million row objects in Node.
 */
import type { Pool, PoolClient } from 'pg';

export const PAGE_SIZE = 10_000;

/** One item's NDJSON line, newline included, from a catalog_items row. */
export const SNAPSHOT_LINE_SQL = `'{"sku":' || to_json(sku)::text || ',"name":' || to_json(name)::text || ',"price":"' || price::text ||
  '","category":' || to_json(category)::text || ',"active":' || active::text || ',"attributes":' || attributes::text || E'}\\n'`;

export interface SnapshotPage {
  /** The page's lines, joined. */
  text: string;
  count: number;
}

export interface ItemLine {
  sku: string;
  /** The item's snapshot line, newline included. */
  line: string;
}

/** Runs `read` in a read-only REPEATABLE READ transaction on a client of its own, released whatever happens. */
async function* inSnapshotTransaction<T>(pool: Pool, read: (client: PoolClient) => AsyncGenerator<T>): AsyncGenerator<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    yield* read(client);
    await client.query('COMMIT');
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // Also reached when the consumer stops early (return()): the transaction is read-only, so ending it is enough.
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(broken);
  }
}

/** The catalog's snapshot text, a page at a time. */
export function snapshotPages(pool: Pool, catalogId: string, pageSize = PAGE_SIZE): AsyncGenerator<SnapshotPage> {
  return inSnapshotTransaction(pool, async function* (client) {
    let after = '';
    for (;;) {
      const { rows } = await client.query<{ count: number; last_sku: string | null; text: string | null }>(
        `SELECT count(*)::int AS count, max(sku) AS last_sku, coalesce(string_agg(line, '' ORDER BY sku), '') AS text
         FROM (SELECT sku, ${SNAPSHOT_LINE_SQL} AS line FROM catalog_items
               WHERE catalog_id = $1 AND sku > $2 ORDER BY sku LIMIT $3) page`,
        [catalogId, after, pageSize],
      );
      const page = rows[0]!;
      if (page.count === 0) return;
      yield { text: page.text ?? '', count: page.count };
      if (page.count < pageSize) return;
      after = page.last_sku!;
    }
  });
}

export interface PageDigest {
  count: number;
  /** Hex SHA-256 of the page's text (its lines joined, newlines included). */
  sha256: string;
}

/**
 * The catalog's snapshot text as SHA-256 digests of its pages of `pageSize` lines, computed by PostgreSQL: the
 * verify step compares a snapshot with the database without moving the database's text at all.
 */
export function snapshotPageDigests(pool: Pool, catalogId: string, pageSize = PAGE_SIZE): AsyncGenerator<PageDigest> {
  return inSnapshotTransaction(pool, async function* (client) {
    let after = '';
    for (;;) {
      const { rows } = await client.query<{ count: number; last_sku: string | null; sha256: string | null }>(
        `SELECT count(*)::int AS count, max(sku) AS last_sku,
                encode(sha256(convert_to(coalesce(string_agg(line, '' ORDER BY sku), ''), 'UTF8')), 'hex') AS sha256
         FROM (SELECT sku, ${SNAPSHOT_LINE_SQL} AS line FROM catalog_items
               WHERE catalog_id = $1 AND sku > $2 ORDER BY sku LIMIT $3) page`,
        [catalogId, after, pageSize],
      );
      const page = rows[0]!;
      if (page.count === 0) return;
      yield { count: page.count, sha256: page.sha256! };
      if (page.count < pageSize) return;
      after = page.last_sku!;
    }
  });
}

/** The catalog's lines one by one with their skus (the verify step's detailed comparison). */
export function itemLinePages(pool: Pool, catalogId: string, pageSize = PAGE_SIZE): AsyncGenerator<ItemLine[]> {
  return inSnapshotTransaction(pool, async function* (client) {
    let after = '';
    for (;;) {
      const { rows } = await client.query<ItemLine>(
        `SELECT sku, ${SNAPSHOT_LINE_SQL} AS line FROM catalog_items WHERE catalog_id = $1 AND sku > $2 ORDER BY sku LIMIT $3`,
        [catalogId, after, pageSize],
      );
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.sku;
    }
  });
}
