/**
 * The Parquet writer: DuckDB (the `@duckdb/node-api` package, a prebuilt native library; its Parquet, JSON and
 * ICU extensions are linked in, so nothing is downloaded at run time) reads a CSV file of PostgreSQL's COPY,
 * sorts it and writes it as Parquet parts of a fixed number of rows. The export knows columns and types, not
 * the library: swapping the writer touches this file only.
 *
 * Why DuckDB: the pure-JavaScript encoder it replaced (hyparquet-writer on a worker thread) took ~13 s of one
 * core for a day of 1M entries and was the workflow's critical path; DuckDB parses, sorts and encodes the same
 * day in about a second on two cores, in its own threads, so the worker's event loop stays free (heartbeats,
 * workflow tasks) without a thread of ours. See docs/consolidation.md and docs/BENCHMARKS.md.
 *
 * Types are chosen so every value round-trips exactly: money as INT64 cents, dates as DATE, timestamps as
 * INT64 microseconds since the epoch in UTC (PostgreSQL's precision), UUIDs as their 16 bytes, JSON as JSON
 * text. DuckDB marks every column OPTIONAL in the file; a NULL in a column declared not nullable here fails
 * the load instead of being written.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export type ParquetColumnType = 'STRING' | 'UUID' | 'INT32' | 'INT64' | 'DATE' | 'TIMESTAMP_MICROS' | 'JSON';

export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
  nullable: boolean;
}

const duckdbTypes: Record<ParquetColumnType, string> = {
  STRING: 'VARCHAR',
  UUID: 'UUID',
  INT32: 'INTEGER',
  INT64: 'BIGINT',
  DATE: 'DATE',
  // Written as INT64 TIMESTAMP(isAdjustedToUTC, MICROS).
  TIMESTAMP_MICROS: 'TIMESTAMPTZ',
  JSON: 'JSON',
};

export interface ParquetPartsRequest {
  /** PostgreSQL `COPY ... (FORMAT csv)` output: no header, the columns in order, timestamps with their offset. */
  csvPath: string;
  columns: ParquetColumn[];
  /** The column the rows are sorted by; unique, so the order (and so the files' bytes) is fully determined. */
  orderBy: string;
  rowsPerPart: number;
  /** Where `part-N.parquet` are written (and DuckDB spills, should the rows outgrow its memory limit). */
  directory: string;
  /** Rows per row group (readers skip whole groups by their statistics). */
  rowGroupSize?: number;
}

export interface WrittenPart {
  path: string;
  rows: number;
}

/** DuckDB's memory for one export; beyond it the sort spills to the request's directory. */
const MEMORY_LIMIT = '1GB';

const identifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Loads the CSV into a sorted in-memory table, then writes its rows in order as parts of `rowsPerPart` rows
 * (none for no rows). Returns the rows loaded and the parts, in order.
 */
export async function writeParquetParts(request: ParquetPartsRequest): Promise<{ rows: number; parts: WrittenPart[] }> {
  const { columns } = request;
  if (!columns.some((column) => column.name === request.orderBy)) throw new Error(`Parquet: no column ${request.orderBy} to sort by`);
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(availableParallelism()),
    memory_limit: MEMORY_LIMIT,
    temp_directory: join(request.directory, 'spill'),
    // Inserting in the ORDER BY's order is what makes rowid the row's position in the sort (below).
    preserve_insertion_order: 'true',
    // Parquet, JSON and ICU are linked in; never try to fetch an extension.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  try {
    const connection = await instance.connect();
    try {
      const definitions = columns.map((column) => `${identifier(column.name)} ${duckdbTypes[column.type]}${column.nullable ? '' : ' NOT NULL'}`);
      await connection.run(`CREATE TABLE export_rows (${definitions.join(', ')})`);
      const csvColumns = columns.map((column) => `${literal(column.name)}: ${literal(duckdbTypes[column.type])}`).join(', ');
      // PostgreSQL's CSV: an unquoted empty field is NULL, a quoted one ("") the empty string.
      await connection.run(
        `INSERT INTO export_rows
         SELECT * FROM read_csv(${literal(request.csvPath)}, header = false, auto_detect = false, delim = ',', quote = '"',
                                escape = '"', new_line = '\\n', allow_quoted_nulls = false, strict_mode = true, columns = {${csvColumns}})
         ORDER BY ${identifier(request.orderBy)}`,
      );
      const rows = Number((await connection.runAndReadAll('SELECT count(*) FROM export_rows')).getRows()[0]![0]);
      const parts: WrittenPart[] = [];
      for (let first = 0; first < rows; first += request.rowsPerPart) {
        const path = join(request.directory, `part-${parts.length}.parquet`);
        const last = Math.min(first + request.rowsPerPart, rows);
        await connection.run(
          `COPY (SELECT * FROM export_rows WHERE rowid >= ${first} AND rowid < ${last})
           TO ${literal(path)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${Math.trunc(request.rowGroupSize ?? 100_000)})`,
        );
        parts.push({ path, rows: last - first });
      }
      return { rows, parts };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
