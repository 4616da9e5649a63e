/** The catalog API's reads: versions, the current version, items, an import and its report, as wire shapes. */
import type { Pool } from 'pg';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

interface VersionRow {
  catalog_id: string;
  version: number;
  status: 'draft' | 'published' | 'failed' | 'superseded';
  item_count: number | null;
  sha256: string | null;
  size_bytes: string | null;
  snapshot_key: string | null;
  manifest_key: string | null;
  snapshot_uri: string | null;
  import_id: string | null;
  workflow_id: string;
  run_id: string;
  previous_version: number | null;
  failure_reason: string | null;
  created_at: Date;
  published_at: Date | null;
  superseded_at: Date | null;
  failed_at: Date | null;
}

const versionWire = (row: VersionRow) => ({
  catalog_id: row.catalog_id,
  version: row.version,
  status: row.status,
  item_count: row.item_count,
  sha256: row.sha256,
  size_bytes: row.size_bytes === null ? null : Number(row.size_bytes),
  snapshot_uri: row.snapshot_uri,
  import_id: row.import_id,
  workflow_id: row.workflow_id,
  run_id: row.run_id,
  previous_version: row.previous_version,
  failure_reason: row.failure_reason,
  created_at: row.created_at.toISOString(),
  published_at: iso(row.published_at),
  superseded_at: iso(row.superseded_at),
  failed_at: iso(row.failed_at),
});

export async function listVersions(pool: Pool, catalogId: string, limit: number, before?: number) {
  const { rows } = await pool.query<VersionRow>(
    `SELECT * FROM catalog_versions WHERE catalog_id = $1 AND ($2::int IS NULL OR version < $2)
     ORDER BY version DESC LIMIT $3`,
    [catalogId, before ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  return { versions: page.map(versionWire), next_before: rows.length > limit ? page[page.length - 1]!.version : null };
}

export async function currentVersion(pool: Pool, catalogId: string) {
  const { rows } = await pool.query<VersionRow>(
    'SELECT v.* FROM catalog_current c JOIN catalog_versions v USING (catalog_id, version) WHERE c.catalog_id = $1',
    [catalogId],
  );
  return rows[0];
}

export async function findItem(pool: Pool, catalogId: string, sku: string) {
  const { rows } = await pool.query<{
    catalog_id: string;
    sku: string;
    name: string;
    price: string;
    category: string;
    active: boolean;
    attributes: Record<string, unknown>;
    updated_at: Date;
  }>('SELECT catalog_id, sku, name, price::text AS price, category, active, attributes, updated_at FROM catalog_items WHERE catalog_id = $1 AND sku = $2', [
    catalogId,
    sku,
  ]);
  const row = rows[0];
  return row && { ...row, updated_at: row.updated_at.toISOString() };
}

interface ImportRow {
  import_id: string;
  catalog_id: string;
  status: string;
  source_key: string;
  bytes_read: string;
  rows_total: number;
  rows_valid: number;
  rows_invalid: number;
  duplicates: number;
  rows_upserted: number | null;
  error_rate: string | null;
  error_threshold: string;
  issues_total: number;
  rejection_reason: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export async function findImport(pool: Pool, importId: string) {
  const { rows } = await pool.query<ImportRow>('SELECT * FROM catalog_imports WHERE import_id = $1', [importId]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    import_id: row.import_id,
    catalog_id: row.catalog_id,
    status: row.status,
    source_key: row.source_key,
    bytes_read: Number(row.bytes_read),
    rows_total: row.rows_total,
    rows_valid: row.rows_valid,
    rows_invalid: row.rows_invalid,
    duplicates: row.duplicates,
    rows_upserted: row.rows_upserted,
    error_rate: Number(row.error_rate ?? 0),
    error_threshold: Number(row.error_threshold),
    issues_total: row.issues_total,
    rejection_reason: row.rejection_reason,
    created_at: row.created_at.toISOString(),
    finished_at: iso(row.finished_at),
  };
}

export interface IssueWire {
  row: number;
  line: number;
  column: string;
  reason: string;
  severity: 'error' | 'warning';
}

/** The report's issues in file order (errors and warnings by row), `limit` from `offset`. */
export async function importIssues(pool: Pool, importId: string, offset: number, limit: number): Promise<IssueWire[]> {
  const { rows } = await pool.query<IssueWire>(
    `SELECT row_number AS row, line_number AS line, column_name AS column, reason, severity
     FROM catalog_import_issues WHERE import_id = $1 ORDER BY row_number, seq OFFSET $2 LIMIT $3`,
    [importId, offset, limit],
  );
  return rows;
}

/** One CSV field, quoted when it must be (RFC 4180). */
export const csvField = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The whole report as CSV text, page by page (the report is capped, so this stays small). */
export async function* importIssuesCsv(pool: Pool, importId: string, pageSize = 1000): AsyncGenerator<string> {
  yield 'row,line,column,severity,reason\r\n';
  for (let offset = 0; ; offset += pageSize) {
    const page = await importIssues(pool, importId, offset, pageSize);
    if (page.length > 0) {
      yield page.map((issue) => [issue.row, issue.line, issue.column, issue.severity, issue.reason].map(csvField).join(',')).join('\r\n') + '\r\n';
    }
    if (page.length < pageSize) return;
  }
}
