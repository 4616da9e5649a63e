/**
 * The Parquet encoder behind a small interface: the export knows columns and types, not the library.
 * Today it is hyparquet-writer (pure JavaScript, no native build, Snappy compression); swapping it for
 * another writer (parquet-wasm, Arrow) touches this file and ./parquet-thread.ts only.
 *
 * Types are chosen so every value round-trips exactly: money as INT64 cents, dates as DATE, timestamps as
 * INT64 microseconds since the epoch in UTC (PostgreSQL's precision), JSON as JSON text.
 *
 * Encoding is seconds of CPU per part: it runs on a worker thread (./parquet-thread.ts), so the worker's
 * event loop stays free for heartbeats, other activities and workflow tasks meanwhile.
 */
import type { ColumnSource, SchemaElement } from 'hyparquet-writer';
import { encodeOnThread } from './parquet-thread';

export type ParquetColumnType = 'STRING' | 'UUID' | 'INT32' | 'INT64' | 'DATE' | 'TIMESTAMP_MICROS' | 'JSON';

/**
 * How a column's values look, so the encoder does not try what cannot pay off (a dictionary of a million
 * distinct ids costs seconds and is then thrown away):
 * - `distinct`: (almost) every value differs: plain encoding, no compression attempt, no min/max statistics
 *   (they let readers skip row groups by value, which ids and amounts are not queried by);
 * - `increasing`: numbers that mostly grow (timestamps): delta encoding;
 * - `repetitive` (default): dictionary when it pays, Snappy.
 */
export type ParquetColumnShape = 'distinct' | 'increasing' | 'repetitive';

export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
  nullable: boolean;
  shape?: ParquetColumnShape;
  /** Min/max per row group (default: on, except `distinct`); costly for strings, useful only where sorted. */
  statistics?: boolean;
  /**
   * STRING: string; UUID: 'xxxxxxxx-xxxx-...' string or its 16 bytes; INT32: number; INT64: bigint;
   * DATE: 'YYYY-MM-DD' or days since the epoch; TIMESTAMP_MICROS: bigint (µs since epoch, UTC); JSON: any
   * JSON value. null where nullable.
   */
  values: unknown[];
}

export interface ParquetEncoder {
  /** One Parquet file of the columns (all of the same length). */
  encode(columns: ParquetColumn[]): Promise<Buffer>;
}

const DAY_MS = 86_400_000;

function schemaElement(column: ParquetColumn): SchemaElement {
  const repetition_type = column.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (column.type) {
    case 'STRING':
      return { name: column.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
    case 'UUID':
      return { name: column.name, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' }, repetition_type };
    case 'INT32':
      return { name: column.name, type: 'INT32', repetition_type };
    case 'INT64':
      return { name: column.name, type: 'INT64', repetition_type };
    case 'DATE':
      return { name: column.name, type: 'INT32', converted_type: 'DATE', repetition_type };
    case 'TIMESTAMP_MICROS':
      return {
        name: column.name,
        type: 'INT64',
        repetition_type,
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
      };
    case 'JSON':
      return { name: column.name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type };
  }
}

/** DATE columns are days since the epoch, UUIDs their 16 bytes: given so, or converted here from text. */
function columnValues(column: ParquetColumn): unknown[] {
  if (column.type === 'DATE') {
    return column.values.map((value) => (typeof value === 'string' ? Math.round(Date.parse(`${value}T00:00:00Z`) / DAY_MS) : value));
  }
  if (column.type === 'UUID') {
    return column.values.map((value) => (typeof value === 'string' ? new Uint8Array(Buffer.from(value.replace(/-/g, ''), 'hex')) : value));
  }
  return column.values;
}

function columnOptions(column: ParquetColumn): Partial<ColumnSource> {
  const statistics = column.statistics ?? column.shape !== 'distinct';
  if (column.shape === 'distinct') return { encoding: 'PLAIN', codec: 'UNCOMPRESSED', statistics };
  if (column.shape === 'increasing') return { encoding: 'DELTA_BINARY_PACKED', statistics };
  return { statistics };
}

export interface ParquetEncoderOptions {
  /** Rows per row group (readers skip whole groups by their statistics). */
  rowGroupSize?: number;
}

export function createParquetEncoder(options: ParquetEncoderOptions = {}): ParquetEncoder {
  return {
    encode(columns) {
      const columnData = columns.map((column) => ({ name: column.name, data: columnValues(column), ...columnOptions(column) }) as ColumnSource);
      const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.map(schemaElement)];
      return encodeOnThread({
        columnData,
        schema,
        rowGroupSize: options.rowGroupSize ?? 100_000,
        createdBy: 'fluxo consolidation (hyparquet-writer)',
      });
    },
  };
}
