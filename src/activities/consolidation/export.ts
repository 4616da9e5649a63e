/**
 * The Parquet export of a day: the day's entries (the run's snapshot) and its balances, each copied out of
 * PostgreSQL with one `COPY (... ORDER BY key) (FORMAT csv)` cut into CSV files of
 * CONSOLIDATION_PARQUET_ROWS_PER_FILE rows (./copy-out.ts); DuckDB (./parquet-writer.ts) writes each file as
 * one part `datalake/<table>/data_ref=<day>/part-NNNN.parquet` as soon as it is complete, while PostgreSQL
 * prints the next, and each part is stored as soon as it is written. Rows are ordered by a unique key (entries by request_id, balances by account_id, bytewise), so
 * the same data gives byte-identical files. Parts a previous run wrote beyond this run's last part are deleted;
 * the manifest (written after both tables) is the commit point for readers.
 *
 * PostgreSQL sorts (in memory, see SORT_MEMORY): that costs it ~0.9 CPU-seconds for a day of 1M entries, where
 * DuckDB loading the whole day into a table to sort it cost ~1.5 more and held the day in the worker's memory.
 * The worker holds no rows: they go through files, one part's worth at a time on the DuckDB side.
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
import { copyOutToCsvParts, type CsvPart } from './copy-out';
import { beat, heartbeatWhile } from './heartbeat';
import { openParquetPartWriter, type ParquetColumn, type ParquetPartWriter } from './parquet-writer';
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
  /**
   * The SELECT to copy out, ORDER BY a unique key (the files' order, so their bytes, is then fully determined);
   * COPY takes no parameters, so the (validated) day is inlined.
   */
  select: (dataRef: string) => string;
  columns: ParquetColumn[];
}

const tables: Record<ExportTable, TableSpec> = {
  entries: {
    // content_hash is left out: the ledger's internal idempotency check, of no use to the lake's readers.
    select: (day) => `SELECT e.request_id, e.account_id, e.direction, e.amount_cents, e.data_ref, e.description, e.metadata,
                             e.shard, e.batch_id, e.accepted_at, e.persisted_at
                      FROM ledger_entries e
                      JOIN consolidation_day_batches b ON b.data_ref = '${day}'::date AND b.batch_id = e.batch_id
                      WHERE e.data_ref = '${day}'::date
                      ORDER BY e.request_id`,
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
                      FROM consolidation_daily_balances WHERE data_ref = '${day}'::date
                      ORDER BY account_id COLLATE "C"`,
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

/** work_mem of the export's sort: a day of 1M entries sorts in memory (~200 MB); a larger one spills to disk. */
const SORT_MEMORY = '256MB';

/** Stores part `index` (its Parquet file at `path`) and says where it went. */
type StorePart = (index: number, path: string, rows: number) => Promise<ExportedFile>;

/**
 * Writes the CSV parts as they arrive, one at a time and in the COPY's order (files may close out of order),
 * and stores each part as soon as it is written, beside the next part's writing. Each file is deleted once
 * used: disk holds about one part of CSV while DuckDB keeps up with the server.
 */
class PartPipeline {
  private readonly stored: ExportedFile[] = [];
  private readonly arrived = new Map<number, CsvPart>();
  private next = 0;
  private writing: Promise<void> = Promise.resolve();
  private storing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly writer: ParquetPartWriter,
    private readonly parquetPath: (part: CsvPart) => string,
    private readonly store: StorePart,
  ) {}

  add(part: CsvPart): void {
    this.arrived.set(part.index, part);
    for (let ready = this.arrived.get(this.next); ready; ready = this.arrived.get(this.next)) {
      this.arrived.delete(this.next);
      this.next += 1;
      const current = ready;
      this.writing = this.writing.then(() => this.write(current));
    }
  }

  private async write(part: CsvPart): Promise<void> {
    if (this.failure !== undefined) return;
    try {
      const path = this.parquetPath(part);
      const rows = await this.writer.writePart(part.path, path);
      if (rows !== part.rows) throw new Error(`export: part ${part.index} had ${part.rows} rows, ${rows} were written`);
      await rm(part.path, { force: true });
      this.storing = this.storing.then(() => this.keep(part.index, path, rows));
    } catch (error) {
      this.failure ??= error;
    }
  }

  private async keep(index: number, path: string, rows: number): Promise<void> {
    if (this.failure !== undefined) return;
    try {
      this.stored.push(await this.store(index, path, rows));
      await rm(path, { force: true });
    } catch (error) {
      this.failure ??= error;
    }
  }

  /** Resolves when no part is being written or stored, whatever the outcome. */
  async settled(): Promise<void> {
    await this.writing;
    await this.storing;
  }

  /** The stored parts, in order, once every part that arrived is written and stored. */
  async finish(): Promise<ExportedFile[]> {
    await this.settled();
    if (this.failure !== undefined) throw this.failure;
    if (this.arrived.size > 0) throw new Error(`export: part ${this.next} never arrived`);
    return this.stored;
  }
}

export async function exportDayTable(
  postgres: PostgresStore,
  storage: ObjectStorage,
  input: ExportInput,
  settings: ExportSettings,
): Promise<ExportedTable> {
  if (!isCalendarDate(input.dataRef)) throw new Error(`export: ${JSON.stringify(input.dataRef)} is not a date`);
  const table = tables[input.table];
  const name = datalakeTables[input.table];
  const progress = { table: name, phase: 'copy', rows: 0, stored: 0 };
  const workDir = await mkdtemp(join(tmpdir(), `fluxo-export-${name}-`));
  try {
    const storePart: StorePart = async (index, path, rows) => {
      const key = partKey(settings.prefix, name, input.dataRef, index);
      const stored = await storage.put(key, createReadStream(path), { contentType: 'application/vnd.apache.parquet' });
      progress.stored += 1;
      beat(progress);
      return { key, rows, bytes: stored.size, sha256: stored.sha256 };
    };
    const { rows, files } = await heartbeatWhile(async () => {
      const writer = await openParquetPartWriter(table.columns, workDir);
      const parts = new PartPipeline(writer, (part) => join(workDir, `part-${part.index}.parquet`), storePart);
      try {
        const copied = await inTransaction(postgres, settings.statementTimeoutMs, async (client) => {
          // The ORDER BY sorts in memory rather than in 4 MB runs on disk.
          await client.query(`SET LOCAL work_mem = '${SORT_MEMORY}'`);
          return copyOutToCsvParts(client, table.select(input.dataRef), {
            rowsPerPart: settings.rowsPerFile,
            pathOf: (index) => join(workDir, `rows-${index}.csv`),
            onPart: (part) => parts.add(part),
          });
        });
        progress.phase = 'parquet';
        progress.rows = copied;
        const stored = await parts.finish();
        const written = stored.reduce((sum, file) => sum + file.rows, 0);
        if (written !== copied) throw new Error(`export of ${name}: the server copied ${copied} rows, ${written} were written`);
        return { rows: written, files: stored };
      } finally {
        // A part being written when the COPY failed finishes before its DuckDB instance is closed.
        await parts.settled();
        writer.close();
      }
    }, () => progress);

    // A previous run with more parts left some behind: they are not part of the day any more.
    const kept = new Set(files.map((file) => file.key));
    for (const object of await storage.list(partitionPrefix(settings.prefix, name, input.dataRef))) {
      if (!kept.has(object.key)) await storage.delete(object.key);
    }
    return { table: name, rows, files };
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
