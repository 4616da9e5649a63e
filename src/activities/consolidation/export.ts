/**
 * The Parquet export of a day: the day's entries (the run's snapshot) and its balances, each copied out of
 * PostgreSQL with one `COPY ... (FORMAT csv)` into a temporary file (./copy-out.ts), then sorted and written
 * by DuckDB (./parquet-writer.ts) as part files of CONSOLIDATION_PARQUET_ROWS_PER_FILE rows at
 * `datalake/<table>/data_ref=<day>/part-NNNN.parquet`. Rows are ordered (entries by request_id, balances by
 * account_id), so the same data gives byte-identical files. Parts a previous run wrote beyond this run's last
 * part are deleted; the manifest (written after both tables) is the commit point for readers.
 *
 * PostgreSQL only scans and prints (no ORDER BY: sorting a million wide rows there took ~2 s of one core);
 * DuckDB sorts on all cores. The worker holds no rows: they go through a file, so memory stays bounded by
 * DuckDB's limit whatever the day's size.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datalakeTables, manifestKey, partitionPrefix, partKey } from '../../domain/consolidation/datalake';
import { isCalendarDate } from '../../domain/consolidation/dates';
import type { DatalakeManifest, ExportedFile, ExportedTable } from '../../domain/consolidation/run';
import type { ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import { copyOutToCsvFile } from './copy-out';
import { beat, heartbeatWhile } from './heartbeat';
import { writeParquetParts, type ParquetColumn } from './parquet-writer';
import { inTransaction } from './sql';

export type ExportTable = keyof typeof datalakeTables;

export interface ExportInput {
  dataRef: string;
  table: ExportTable;
}

export interface ExportSettings {
  prefix: string;
  rowsPerFile: number;
  statementTimeoutMs: number;
}

interface TableSpec {
  /** The SELECT to copy out; COPY takes no parameters, so the (validated) day is inlined. */
  select: (dataRef: string) => string;
  /** The sort key of the files (unique). */
  orderBy: string;
  columns: ParquetColumn[];
}

const tables: Record<ExportTable, TableSpec> = {
  entries: {
    // content_hash is left out: the ledger's internal idempotency check, of no use to the lake's readers.
    select: (day) => `SELECT e.request_id, e.account_id, e.direction, e.amount_cents, e.data_ref, e.description, e.metadata,
                             e.shard, e.batch_id, e.accepted_at, e.persisted_at
                      FROM ledger_entries e
                      JOIN consolidation_day_batches b ON b.data_ref = '${day}'::date AND b.batch_id = e.batch_id
                      WHERE e.data_ref = '${day}'::date`,
    orderBy: 'request_id',
    columns: [
      { name: 'request_id', type: 'UUID', nullable: false },
      { name: 'account_id', type: 'STRING', nullable: false },
      { name: 'direction', type: 'STRING', nullable: false },
      { name: 'amount_cents', type: 'INT64', nullable: false },
      { name: 'data_ref', type: 'DATE', nullable: false },
      { name: 'description', type: 'STRING', nullable: true },
      { name: 'metadata', type: 'JSON', nullable: true },
      { name: 'shard', type: 'INT32', nullable: false },
      { name: 'batch_id', type: 'STRING', nullable: false },
      { name: 'accepted_at', type: 'TIMESTAMP_MICROS', nullable: false },
      { name: 'persisted_at', type: 'TIMESTAMP_MICROS', nullable: false },
    ],
  },
  balances: {
    select: (day) => `SELECT data_ref, account_id, opening_cents, credit_cents, debit_cents, net_cents, closing_cents, entry_count
                      FROM consolidation_daily_balances WHERE data_ref = '${day}'::date`,
    orderBy: 'account_id',
    columns: [
      { name: 'data_ref', type: 'DATE', nullable: false },
      { name: 'account_id', type: 'STRING', nullable: false },
      { name: 'opening_cents', type: 'INT64', nullable: false },
      { name: 'credit_cents', type: 'INT64', nullable: false },
      { name: 'debit_cents', type: 'INT64', nullable: false },
      { name: 'net_cents', type: 'INT64', nullable: false },
      { name: 'closing_cents', type: 'INT64', nullable: false },
      { name: 'entry_count', type: 'INT32', nullable: false },
    ],
  },
};

export async function exportDayTable(
  postgres: PostgresStore,
  storage: ObjectStorage,
  input: ExportInput,
  settings: ExportSettings,
): Promise<ExportedTable> {
  if (!isCalendarDate(input.dataRef)) throw new Error(`export: ${JSON.stringify(input.dataRef)} is not a date`);
  const table = tables[input.table];
  const name = datalakeTables[input.table];
  const progress = { table: name, phase: 'copy', rows: 0, stored: 0, parts: 0 };
  const workDir = await mkdtemp(join(tmpdir(), `fluxo-export-${name}-`));
  try {
    const written = await heartbeatWhile(async () => {
      const csvPath = join(workDir, 'rows.csv');
      const copied = await inTransaction(postgres, settings.statementTimeoutMs, (client) => copyOutToCsvFile(client, table.select(input.dataRef), csvPath));
      progress.phase = 'parquet';
      progress.rows = copied;
      const parquet = await writeParquetParts({ csvPath, columns: table.columns, orderBy: table.orderBy, rowsPerPart: settings.rowsPerFile, directory: workDir });
      if (parquet.rows !== copied) throw new Error(`export of ${name}: the server copied ${copied} rows, ${parquet.rows} were written`);
      await rm(csvPath, { force: true });
      return parquet;
    }, () => progress);

    progress.phase = 'store';
    progress.parts = written.parts.length;
    const files: ExportedFile[] = [];
    for (const [index, part] of written.parts.entries()) {
      const key = partKey(settings.prefix, name, input.dataRef, index);
      const stored = await storage.put(key, createReadStream(part.path), { contentType: 'application/vnd.apache.parquet' });
      files.push({ key, rows: part.rows, bytes: stored.size, sha256: stored.sha256 });
      progress.stored = files.length;
      beat(progress);
    }

    // A previous run with more parts left some behind: they are not part of the day any more.
    const kept = new Set(files.map((file) => file.key));
    for (const object of await storage.list(partitionPrefix(settings.prefix, name, input.dataRef))) {
      if (!kept.has(object.key)) await storage.delete(object.key);
    }
    return { table: name, rows: written.rows, files };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Writes the day's manifest (replacing the previous run's) and returns its key. */
export async function writeDatalakeManifest(storage: ObjectStorage, prefix: string, manifest: DatalakeManifest): Promise<{ key: string; sha256: string }> {
  const key = manifestKey(prefix, manifest.data_ref);
  const stored = await storage.put(key, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), { contentType: 'application/json' });
  return { key, sha256: stored.sha256 };
}
