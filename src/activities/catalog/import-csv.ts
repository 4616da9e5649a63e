/**
 * The import step: streams an uploaded CSV from object storage, checks the header and every row, COPYs the
 * valid rows into the import's staging table (staging.ts) and writes the problems to the import's report,
 * then accepts or rejects the import as a whole. Nothing here touches catalog_items: the apply step does,
 * after the draft.
 *
 * Memory stays bounded whatever the file's size: one chunk of bytes, one batch of rows and one batch of
 * issues at a time; each batch is written to the COPY (waiting while the socket is full) before more bytes
 * are read (backpressure).
 *
 * Duplicate skus: the LAST occurrence in the file wins (a later row is a correction of an earlier one); each
 * earlier occurrence is reported as a warning "superseded by row N" and does not count as an error.
 *
 * Idempotent: a retry of an import that finished returns its summary; one that was interrupted while
 * loading starts over (its staging table is recreated and its issues deleted first).
 */
import type { Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config';
import { CsvParser, type CsvRecord } from '../../domain/catalog/csv-parser';
import type { CatalogItem } from '../../domain/catalog/item';
import { catalogErrors, type ImportStatus, type ImportSummary } from '../../domain/catalog/publish';
import { ALL_COLUMNS, checkHeader, isBlankRecord, REQUIRED_COLUMNS, validateRow, type HeaderLayout, type RowIssue } from '../../domain/catalog/rows';
import { ObjectNotFoundError, type ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import { catalogImportRowsTotal, catalogImportsTotal } from './metrics';
import { copyText, startCopy, type CopyWriter } from './pg-copy';
import { activityProgress } from './progress';
import { createStage, dropStage, STAGE_COLUMNS, stageTable } from './staging';

export type ImportConfig = Pick<Config, 'CATALOG_IMPORT_ERROR_THRESHOLD' | 'CATALOG_IMPORT_BATCH_SIZE' | 'CATALOG_IMPORT_MAX_ISSUES'>;

export interface ImportCsvInput {
  catalogId: string;
  importId: string;
  sourceKey: string;
  workflowId: string;
  runId: string;
}

interface ImportRow {
  import_id: string;
  status: ImportStatus;
  rows_total: number;
  rows_valid: number;
  rows_invalid: number;
  duplicates: number;
  error_rate: string | null;
  error_threshold: string;
  issues_total: number;
  rejection_reason: string | null;
}

const FINISHED: ImportStatus[] = ['loaded', 'applied', 'published', 'rejected', 'reverted', 'failed'];

export function toImportSummary(row: ImportRow): ImportSummary {
  return {
    importId: row.import_id,
    status: row.status,
    rowsTotal: row.rows_total,
    rowsValid: row.rows_valid,
    rowsInvalid: row.rows_invalid,
    duplicates: row.duplicates,
    errorRate: Number(row.error_rate ?? 0),
    errorThreshold: Number(row.error_threshold),
    issuesTotal: row.issues_total,
    rejectionReason: row.rejection_reason,
  };
}

export const IMPORT_COLUMNS =
  'import_id, status, rows_total, rows_valid, rows_invalid, duplicates, error_rate, error_threshold, issues_total, rejection_reason';

interface Issue extends RowIssue {
  row: number;
  line: number;
  severity: 'error' | 'warning';
}

/** Accumulates the import's counts, staged rows (COPY) and issues, flushing each in batches. */
class ImportLoad {
  rowsTotal = 0;
  rowsValid = 0;
  rowsInvalid = 0;
  issuesTotal = 0;
  private rows: string[] = [];
  private issues: Issue[] = [];

  constructor(
    private readonly postgres: PostgresStore,
    private readonly copy: CopyWriter,
    private readonly importId: string,
    private readonly batchSize: number,
    private readonly maxIssues: number,
  ) {}

  async addRow(row: number, line: number, item: CatalogItem): Promise<void> {
    this.rowsValid += 1;
    // One line of COPY text per row, in STAGE_COLUMNS order.
    this.rows.push(
      `${row}\t${line}\t${copyText(item.sku)}\t${copyText(item.name)}\t${item.price}\t${copyText(item.category)}\t${item.active ? 't' : 'f'}\t${copyText(JSON.stringify(item.attributes))}\n`,
    );
    if (this.rows.length >= this.batchSize) await this.flushRows();
  }

  async addIssue(issue: Issue): Promise<void> {
    this.issuesTotal += 1;
    // Beyond the cap issues are only counted: a file of garbage must not fill the database with its report.
    if (this.issuesTotal > this.maxIssues) return;
    this.issues.push(issue);
    if (this.issues.length >= 1000) await this.flushIssues();
  }

  async flush(): Promise<void> {
    await this.flushRows();
    await this.flushIssues();
  }

  private async flushRows(): Promise<void> {
    if (this.rows.length === 0) return;
    const text = this.rows.join('');
    this.rows = [];
    await this.copy.write(text);
  }

  private async flushIssues(): Promise<void> {
    if (this.issues.length === 0) return;
    const batch = this.issues;
    this.issues = [];
    const firstSeq = Math.min(this.issuesTotal, this.maxIssues) - batch.length + 1;
    await insertIssues(this.postgres, this.importId, firstSeq, batch);
  }
}

async function insertIssues(postgres: PostgresStore, importId: string, firstSeq: number, issues: Issue[]): Promise<void> {
  await postgres.pool().query(
    `INSERT INTO catalog_import_issues (import_id, seq, row_number, line_number, column_name, reason, severity)
     SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[])`,
    [
      importId,
      issues.map((_, index) => firstSeq + index),
      issues.map((issue) => issue.row),
      issues.map((issue) => issue.line),
      issues.map((issue) => issue.column),
      issues.map((issue) => issue.reason),
      issues.map((issue) => issue.severity),
    ],
  );
}

/** Thrown inside the load to reject the whole file at once (header problems, empty file, not UTF-8). */
class Rejection extends Error {
  constructor(
    message: string,
    readonly bytesRead: number,
  ) {
    super(message);
  }
}

/**
 * Streams the file through the decoder and the CSV parser, checking the header and then every row into
 * `load`; returns the bytes read. Throws Rejection when the file as a whole is refused.
 */
async function parseInto(load: ImportLoad, source: Readable, sourceKey: string): Promise<number> {
  const progress = activityProgress();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = new CsvParser();
  let layout: HeaderLayout | undefined;
  let rowNumber = 0;
  let bytesRead = 0;

  const handle = async (records: CsvRecord[]) => {
    for (const record of records) {
      if (isBlankRecord(record.fields)) continue;
      rowNumber += 1;
      if (!layout) {
        const header = checkHeader(record.fields);
        if (!header.layout) {
          for (const issue of header.issues) await load.addIssue({ ...issue, row: rowNumber, line: record.line, severity: 'error' });
          throw new Rejection(`the header is not valid: ${header.issues.map((issue) => issue.reason).join('; ')}`, bytesRead);
        }
        layout = header.layout;
        continue;
      }
      load.rowsTotal += 1;
      const checked = record.error ? { issues: [{ column: '*', reason: `malformed CSV quoting: ${record.error}` }] } : validateRow(record.fields, layout);
      if (checked.item) {
        await load.addRow(rowNumber, record.line, checked.item);
      } else {
        load.rowsInvalid += 1;
        for (const issue of checked.issues) await load.addIssue({ ...issue, row: rowNumber, line: record.line, severity: 'error' });
      }
    }
  };

  try {
    for await (const chunk of source) {
      progress.throwIfCancelled();
      bytesRead += (chunk as Buffer).length;
      await handle(parser.push(decoder.decode(chunk as Buffer, { stream: true })));
      progress.beat({ bytesRead, rows: load.rowsTotal, source: sourceKey });
    }
    await handle(parser.push(decoder.decode()));
    await handle(parser.end());
  } catch (error) {
    // By code, not class: TextDecoder's TypeError may come from another realm (Jest's sandbox).
    if ((error as { code?: string } | undefined)?.code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      await load.addIssue({ column: '*', reason: `the file is not valid UTF-8 (after byte ${bytesRead})`, row: rowNumber + 1, line: 0, severity: 'error' });
      throw new Rejection('the file is not valid UTF-8', bytesRead);
    }
    throw error;
  }
  if (!layout) {
    await load.addIssue({ column: 'header', reason: `the file is empty; expected a header: ${EXPECTED_HEADER}`, row: 1, line: 1, severity: 'error' });
    throw new Rejection('the file is empty', bytesRead);
  }
  return bytesRead;
}

const EXPECTED_HEADER = `${REQUIRED_COLUMNS.join(',')}[,${ALL_COLUMNS.filter((column) => !(REQUIRED_COLUMNS as readonly string[]).includes(column)).join('][,')}]`;

export async function importCatalogCsv(
  stores: { postgres: PostgresStore; objectStorage: ObjectStorage },
  config: ImportConfig,
  input: ImportCsvInput,
): Promise<ImportSummary> {
  const { postgres, objectStorage } = stores;
  const threshold = config.CATALOG_IMPORT_ERROR_THRESHOLD;

  // Claim the import row; a finished import answers with its summary (a retry after success).
  const { rows: claimed } = await postgres.pool().query<ImportRow & { run_id: string }>(
    `INSERT INTO catalog_imports (import_id, catalog_id, source_key, status, workflow_id, run_id, error_threshold)
     VALUES ($1, $2, $3, 'loading', $4, $5, $6)
     ON CONFLICT (import_id) DO UPDATE SET import_id = EXCLUDED.import_id
     RETURNING ${IMPORT_COLUMNS}, run_id`,
    [input.importId, input.catalogId, input.sourceKey, input.workflowId, input.runId, threshold],
  );
  const existing = claimed[0]!;
  if (existing.run_id !== input.runId) {
    throw ApplicationFailure.nonRetryable(`import ${input.importId} belongs to another publish run`, catalogErrors.importUnreadable);
  }
  if (FINISHED.includes(existing.status)) return toImportSummary(existing);
  // An earlier attempt died while loading: start over from a clean slate.
  await postgres.pool().query('DELETE FROM catalog_import_issues WHERE import_id = $1', [input.importId]);

  let source: Readable;
  try {
    source = await objectStorage.get(input.sourceKey);
  } catch (error) {
    if (!(error instanceof ObjectNotFoundError)) throw error;
    await postgres.pool().query(
      "UPDATE catalog_imports SET status = 'failed', rejection_reason = $2, finished_at = now() WHERE import_id = $1",
      [input.importId, `the file ${input.sourceKey} is not in object storage`],
    );
    throw ApplicationFailure.nonRetryable(`catalog import: ${input.sourceKey} is not in object storage`, catalogErrors.importUnreadable);
  }

  // One connection for the whole load: the staging table's COPY streams on it while the file is parsed.
  const client = await postgres.pool().connect();
  let clientError: Error | undefined;
  let load: ImportLoad | undefined;
  let bytesRead = 0;
  let rejection: string | undefined;
  try {
    await createStage(client, input.importId);
    // The COPY is one statement lasting the whole file: it gets the activity's time limit, not the
    // request-sized DATABASE_STATEMENT_TIMEOUT_MS (SET LOCAL: the pooled connection keeps its own setting).
    await client.query('BEGIN');
    await client.query("SET LOCAL statement_timeout = '30min'");
    const copy = await startCopy(client, `COPY ${stageTable(input.importId)} (${STAGE_COLUMNS}) FROM STDIN`);
    load = new ImportLoad(postgres, copy, input.importId, config.CATALOG_IMPORT_BATCH_SIZE, config.CATALOG_IMPORT_MAX_ISSUES);
    try {
      bytesRead = await parseInto(load, source, input.sourceKey);
      await load.flush();
      await copy.end();
      await client.query('COMMIT');
    } catch (error) {
      await copy.abort(error instanceof Error ? error.message : 'import failed');
      await client.query('ROLLBACK');
      if (!(error instanceof Rejection)) throw error;
      rejection = error.message;
      bytesRead = error.bytesRead;
      await load.flush();
    }
  } catch (error) {
    clientError = error as Error;
    throw error;
  } finally {
    source.destroy();
    // A connection whose COPY broke is not trusted for the next caller: passing the error discards it.
    client.release(clientError);
  }

  const errorRate = load.rowsTotal === 0 ? 0 : load.rowsInvalid / load.rowsTotal;
  if (!rejection && errorRate > threshold) {
    rejection = `${load.rowsInvalid} of ${load.rowsTotal} rows are invalid (${percent(errorRate)}), above the threshold of ${percent(threshold)}`;
  }
  let duplicates = 0;
  if (rejection) await dropStage(postgres.pool(), input.importId);
  else duplicates = await reportDuplicates(postgres, input.importId, load.issuesTotal, config.CATALOG_IMPORT_MAX_ISSUES);
  load.issuesTotal += duplicates;

  catalogImportRowsTotal.inc({ result: 'valid' }, load.rowsValid);
  catalogImportRowsTotal.inc({ result: 'invalid' }, load.rowsInvalid);
  catalogImportsTotal.inc({ outcome: rejection ? 'rejected' : 'loaded' });
  return finish(postgres, input.importId, rejection ? 'rejected' : 'loaded', load, bytesRead, duplicates, rejection ?? null, errorRate);
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(2).replace(/\.?0+$/, '')}%`;

/**
 * Reports every earlier occurrence of a duplicated sku as a warning (the last one wins) and returns how many
 * there were. One SQL statement over the staged rows, so no set of skus is ever held in memory.
 */
async function reportDuplicates(postgres: PostgresStore, importId: string, issuesSoFar: number, maxIssues: number): Promise<number> {
  const client = await postgres.pool().connect();
  try {
    // Sorting a million skus: more memory than the default 4 MB, and more time than a request gets.
    await client.query('BEGIN');
    await client.query("SET LOCAL work_mem = '64MB'");
    await client.query("SET LOCAL statement_timeout = '15min'");
    const { rows } = await client.query<{ total: number }>(
    `WITH ranked AS (
       SELECT row_number, line_number, sku, max(row_number) OVER (PARTITION BY sku) AS winner
       FROM ${stageTable(importId)}
     ), superseded AS (
       SELECT row_number, line_number, sku, winner, row_number() OVER (ORDER BY row_number) AS n
       FROM ranked WHERE row_number < winner
     ), kept AS (
       INSERT INTO catalog_import_issues (import_id, seq, row_number, line_number, column_name, reason, severity)
       SELECT $1, $2 + n, s.row_number, s.line_number, 'sku', format('duplicate sku %s: superseded by row %s (the last occurrence wins)', s.sku, s.winner), 'warning'
       FROM superseded s WHERE $2 + n <= $3
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM superseded)::int AS total, (SELECT count(*) FROM kept)::int AS kept`,
    [importId, Math.min(issuesSoFar, maxIssues), maxIssues],
    );
    await client.query('COMMIT');
    return rows[0]!.total;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function finish(
  postgres: PostgresStore,
  importId: string,
  status: ImportStatus,
  load: ImportLoad,
  bytesRead: number,
  duplicates: number,
  reason: string | null,
  errorRate = 0,
): Promise<ImportSummary> {
  const { rows } = await postgres.pool().query<ImportRow>(
    `UPDATE catalog_imports SET status = $2, bytes_read = $3, rows_total = $4, rows_valid = $5, rows_invalid = $6,
       duplicates = $7, error_rate = $8, issues_total = $9, rejection_reason = $10, finished_at = now()
     WHERE import_id = $1 RETURNING ${IMPORT_COLUMNS}`,
    [importId, status, bytesRead, load.rowsTotal, load.rowsValid, load.rowsInvalid, duplicates, errorRate, load.issuesTotal, reason],
  );
  return toImportSummary(rows[0]!);
}
