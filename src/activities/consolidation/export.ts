/**
 * The Parquet export of a day: the day's entries (the run's snapshot) and its balances, each streamed out of
 * PostgreSQL with one binary COPY (./copy-out.ts) into part files of CONSOLIDATION_PARQUET_ROWS_PER_FILE rows
 * at `datalake/<table>/data_ref=<day>/part-NNNN.parquet`. Rows are ordered (entries by request_id, balances
 * by account_id), so the same data gives byte-identical files. Parts a previous run wrote beyond this run's
 * last part are deleted; the manifest (written after both tables) is the commit point for readers.
 */
import { datalakeTables, manifestKey, partitionPrefix, partKey } from '../../domain/consolidation/datalake';
import { isCalendarDate } from '../../domain/consolidation/dates';
import type { DatalakeManifest, ExportedFile, ExportedTable } from '../../domain/consolidation/run';
import type { ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import { CopyFlow, copyOutRows, type BinaryType } from './copy-out';
import { beat, heartbeatWhile } from './heartbeat';
import type { ParquetColumn, ParquetColumnShape, ParquetColumnType, ParquetEncoder } from './parquet-writer';
import { inTransaction } from './sql';

export type ExportTable = keyof typeof datalakeTables;

export interface ExportInput {
  dataRef: string;
  table: ExportTable;
}

/** Parts handed to the encoder thread and not back yet, at most; the COPY pauses at this many. */
const MAX_PARTS_ENCODING = 2;

interface EncodedPart {
  key: string;
  rows: number;
  bytes: Buffer;
}

export interface ExportSettings {
  prefix: string;
  rowsPerFile: number;
  statementTimeoutMs: number;
}

interface ColumnSpec {
  name: string;
  /** The column's PostgreSQL type as COPY sends it. */
  source: BinaryType;
  type: ParquetColumnType;
  nullable: boolean;
  shape?: ParquetColumnShape;
}

interface TableSpec {
  /** The SELECT to copy out; COPY takes no parameters, so the (validated) day is inlined. */
  select: (dataRef: string) => string;
  statistics: boolean;
  columns: ColumnSpec[];
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
    // Rows are in request_id order, so min/max of the other columns would prune nothing; they cost seconds.
    statistics: false,
    columns: [
      { name: 'request_id', source: 'uuid', type: 'UUID', nullable: false, shape: 'distinct' },
      { name: 'account_id', source: 'text', type: 'STRING', nullable: false },
      { name: 'direction', source: 'text', type: 'STRING', nullable: false },
      { name: 'amount_cents', source: 'int8', type: 'INT64', nullable: false, shape: 'distinct' },
      { name: 'data_ref', source: 'date', type: 'DATE', nullable: false },
      { name: 'description', source: 'text', type: 'STRING', nullable: true },
      { name: 'metadata', source: 'jsonb', type: 'JSON', nullable: true },
      { name: 'shard', source: 'int4', type: 'INT32', nullable: false },
      { name: 'batch_id', source: 'text', type: 'STRING', nullable: false },
      { name: 'accepted_at', source: 'timestamptz', type: 'TIMESTAMP_MICROS', nullable: false, shape: 'increasing' },
      { name: 'persisted_at', source: 'timestamptz', type: 'TIMESTAMP_MICROS', nullable: false, shape: 'increasing' },
    ],
  },
  balances: {
    select: (day) => `SELECT data_ref, account_id, opening_cents, credit_cents, debit_cents, net_cents, closing_cents, entry_count
                      FROM consolidation_daily_balances WHERE data_ref = '${day}'::date
                      ORDER BY account_id`,
    statistics: true,
    columns: [
      { name: 'data_ref', source: 'date', type: 'DATE', nullable: false },
      { name: 'account_id', source: 'text', type: 'STRING', nullable: false },
      { name: 'opening_cents', source: 'int8', type: 'INT64', nullable: false, shape: 'distinct' },
      { name: 'credit_cents', source: 'int8', type: 'INT64', nullable: false, shape: 'distinct' },
      { name: 'debit_cents', source: 'int8', type: 'INT64', nullable: false, shape: 'distinct' },
      { name: 'net_cents', source: 'int8', type: 'INT64', nullable: false, shape: 'distinct' },
      { name: 'closing_cents', source: 'int8', type: 'INT64', nullable: false, shape: 'distinct' },
      { name: 'entry_count', source: 'int4', type: 'INT32', nullable: false },
    ],
  },
};

export async function exportDayTable(
  postgres: PostgresStore,
  storage: ObjectStorage,
  encoder: ParquetEncoder,
  input: ExportInput,
  settings: ExportSettings,
): Promise<ExportedTable> {
  if (!isCalendarDate(input.dataRef)) throw new Error(`export: ${JSON.stringify(input.dataRef)} is not a date`);
  const table = tables[input.table];
  const name = datalakeTables[input.table];
  const parts: Promise<EncodedPart>[] = [];
  let encoding = 0;
  const flow = new CopyFlow();
  let rows = 0;
  let part: unknown[][] = table.columns.map(() => []);
  let partRows = 0;

  // Each full part goes to the encoder thread while the COPY fills the next; with MAX_PARTS_ENCODING parts
  // waiting there, the COPY pauses (the server waits), so memory stays bounded whatever the day's size.
  // The encoded parts (a compressed fraction of the rows) are stored once all are done.
  const encodePart = () => {
    const columns: ParquetColumn[] = table.columns.map((spec, index) => ({
      name: spec.name,
      type: spec.type,
      nullable: spec.nullable,
      shape: spec.shape,
      statistics: table.statistics && spec.shape !== 'distinct',
      values: part[index]!,
    }));
    const key = partKey(settings.prefix, name, input.dataRef, parts.length);
    const partRowCount = partRows;
    encoding += 1;
    const job = encoder
      .encode(columns)
      .then((bytes) => ({ key, rows: partRowCount, bytes }))
      .finally(() => {
        encoding -= 1;
        if (encoding < MAX_PARTS_ENCODING) flow.resume();
      });
    // Awaited (and its failure reported) once the COPY is done.
    job.catch(() => undefined);
    parts.push(job);
    if (encoding >= MAX_PARTS_ENCODING) flow.pause();
    part = table.columns.map(() => []);
    partRows = 0;
  };

  const encoded = await heartbeatWhile(
    async () => {
      const copied = await inTransaction(postgres, settings.statementTimeoutMs, (client) =>
        copyOutRows(
          client,
          table.select(input.dataRef),
          table.columns.map((column) => column.source),
          (values) => {
            for (let index = 0; index < values.length; index++) part[index]!.push(values[index]);
            partRows += 1;
            rows += 1;
            if (partRows >= settings.rowsPerFile) encodePart();
          },
          flow,
        ),
      );
      if (partRows > 0) encodePart();
      if (copied !== rows) throw new Error(`export of ${name}: the server copied ${copied} rows, ${rows} were read`);
      return Promise.all(parts);
    },
    () => ({ table: name, rows, parts: parts.length, encoding }),
  );

  const files: ExportedFile[] = [];
  for (const { key, rows: partRowCount, bytes } of encoded) {
    const stored = await storage.put(key, bytes, { contentType: 'application/vnd.apache.parquet' });
    files.push({ key, rows: partRowCount, bytes: stored.size, sha256: stored.sha256 });
    beat({ table: name, rows, stored: files.length, parts: encoded.length });
  }

  // A previous run with more parts left some behind: they are not part of the day any more.
  const kept = new Set(files.map((file) => file.key));
  for (const object of await storage.list(partitionPrefix(settings.prefix, name, input.dataRef))) {
    if (!kept.has(object.key)) await storage.delete(object.key);
  }
  return { table: name, rows, files };
}

/** Writes the day's manifest (replacing the previous run's) and returns its key. */
export async function writeDatalakeManifest(storage: ObjectStorage, prefix: string, manifest: DatalakeManifest): Promise<{ key: string; sha256: string }> {
  const key = manifestKey(prefix, manifest.data_ref);
  const stored = await storage.put(key, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), { contentType: 'application/json' });
  return { key, sha256: stored.sha256 };
}
