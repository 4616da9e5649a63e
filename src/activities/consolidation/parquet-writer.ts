/**
 * The Parquet writer: DuckDB (the `@duckdb/node-api` package, a prebuilt native library; its Parquet, JSON and
 * ICU extensions are linked in, so nothing is downloaded at run time) turns a CSV file of PostgreSQL's COPY
 * into one Parquet part, keeping the rows in the file's order. The export knows columns and types, not the
 * library: swapping the writer touches this file only.
 *
 * Why DuckDB: the pure-JavaScript encoder it replaced (hyparquet-writer on a worker thread) took ~13 s of one
 * core for a day of 1M entries; DuckDB parses and encodes the same day in about a second, in its own thread,
 * so the worker's event loop stays free (heartbeats, workflow tasks) without a thread of ours.
 *
 * Why one CSV per part and no sorting here: PostgreSQL sends the rows already in the files' order, cut into
 * part-sized CSV files (./copy-out.ts), so each part is converted while PostgreSQL still prints the next, and
 * DuckDB holds one part's column chunks, never the day. Loading the whole day into a DuckDB table and sorting it
 * cost ~1.5 CPU-seconds more than PostgreSQL's sort of the same rows (docs/consolidation.md).
 *
 * One DuckDB thread: the parts come one at a time from one COPY, and on the small hosts this runs on the other
 * cores are PostgreSQL's; a second thread added CPU (synchronisation) without shortening the export.
 *
 * Types are chosen so every value round-trips exactly: money as INT64 cents, dates as DATE, timestamps as
 * INT64 microseconds since the epoch in UTC (PostgreSQL's precision), UUIDs as their 16 bytes, JSON as JSON
 * text. DuckDB marks every column OPTIONAL in the file; a NULL in a column declared not nullable here fails
 * the part instead of being written.
 */
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

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

/** DuckDB's memory; a part's conversion streams, so this is far more than it needs. */
const MEMORY_LIMIT = '512MB';

const identifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export interface ParquetPartWriter {
  /** Writes the rows of `csvPath` (PostgreSQL `COPY ... (FORMAT csv)`, no header) in order to `parquetPath`; returns the rows written. */
  writePart(csvPath: string, parquetPath: string): Promise<number>;
  close(): void;
}

/**
 * A writer of parts with `columns`, rows grouped `rowGroupSize` to a row group (readers skip whole groups by
 * their statistics). `directory` is DuckDB's spill directory, should it ever need one.
 */
export async function openParquetPartWriter(columns: ParquetColumn[], directory: string, rowGroupSize = 100_000): Promise<ParquetPartWriter> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    memory_limit: MEMORY_LIMIT,
    temp_directory: join(directory, 'spill'),
    // The part's rows are written in the CSV's order: that order is what makes the files' bytes reproducible.
    preserve_insertion_order: 'true',
    // Parquet, JSON and ICU are linked in; never try to fetch an extension.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  let connection: DuckDBConnection;
  try {
    connection = await instance.connect();
  } catch (error) {
    instance.closeSync();
    throw error;
  }
  const csvColumns = columns.map((column) => `${literal(column.name)}: ${literal(duckdbTypes[column.type])}`).join(', ');
  // A NULL where the column is declared not nullable fails the part (error() raises), rather than being written.
  const projection = columns
    .map((column) => {
      const name = identifier(column.name);
      return column.nullable ? name : `CASE WHEN ${name} IS NULL THEN error(${literal(`Parquet: NULL in non-nullable column ${column.name}`)}) ELSE ${name} END AS ${name}`;
    })
    .join(', ');
  return {
    async writePart(csvPath, parquetPath) {
      // PostgreSQL's CSV: an unquoted empty field is NULL, a quoted one ("") the empty string.
      const result = await connection.run(
        `COPY (SELECT ${projection}
               FROM read_csv(${literal(csvPath)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"',
                             new_line = '\\n', allow_quoted_nulls = false, strict_mode = true, columns = {${csvColumns}}))
         TO ${literal(parquetPath)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${Math.trunc(rowGroupSize)})`,
      );
      return Number(result.rowsChanged);
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
