/**
 * The data lake layout in object storage (Hive-style partitions, so Spark, DuckDB, BigQuery external tables
 * and Polars read a table's folder directly):
 *
 *   <prefix>/<table>/data_ref=YYYY-MM-DD/part-NNNN.parquet
 *   <prefix>/_manifests/data_ref=YYYY-MM-DD.json      files, row counts and SHA-256 of the day's export
 *
 * The manifest is written last: it is the export's commit point (a reader trusting the manifest never reads
 * a half-replaced day).
 */

/** The exported tables; names are the lake's, stable for its readers. */
export const datalakeTables = {
  entries: 'ledger_entries',
  balances: 'daily_balances',
} as const;

export const partitionPrefix = (prefix: string, table: string, dataRef: string) => `${prefix}/${table}/data_ref=${dataRef}/`;

/** part-0000.parquet, part-0001.parquet, ... */
export const partKey = (prefix: string, table: string, dataRef: string, part: number) =>
  `${partitionPrefix(prefix, table, dataRef)}part-${String(part).padStart(4, '0')}.parquet`;

export const manifestKey = (prefix: string, dataRef: string) => `${prefix}/_manifests/data_ref=${dataRef}.json`;
