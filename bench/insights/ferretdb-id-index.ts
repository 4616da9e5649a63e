/**
 * The `_id` index FerretDB 1.24's SQLite backend lacks, added to one database's tables (benchmark only).
 *
 * FerretDB creates each collection's `_id_` index on `_ferretdb_sjson->"_id"` but filters `{_id: …}` reads,
 * updates and deletes with `_ferretdb_sjson->'$._id' = ?`; SQLite matches index expressions textually, so it
 * never uses that index and every by-`_id` operation scans the whole collection, parsing each document's JSON
 * (measured on this machine at 10,000 documents of ~9 KB: findOne ~280 ms, updateOne ~610 ms; with an index on
 * the expression the queries use: ~2 ms each). That makes ingestion O(corpus) per insight. The fix belongs in
 * the native stack's FerretDB service (see docs/insights.md, "FerretDB and `_id` lookups"); until it is there,
 * `bench:insights --ferretdb-id-index` applies it to the benchmark's own databases, so the benchmark can show
 * both what the stack gives today and what the insights code does on a server that indexes `_id` (as MongoDB
 * always does).
 *
 * It writes to FerretDB's SQLite files directly (python3's sqlite3 module, which the native stack requires):
 * SQLite's own locking makes that safe next to a running FerretDB (WAL, busy timeout); FerretDB does not list
 * the extra index and drops it with the collection (DROP TABLE drops its indexes).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
tables = [row[0] for row in db.execute('SELECT table_name FROM _ferretdb_collections')]
for table in tables:
    db.execute('CREATE INDEX IF NOT EXISTS "%s__id_sqlite" ON "%s" (_ferretdb_sjson->\\'$._id\\')' % (table, table))
db.commit()
print(len(tables))
`;

/** FLUXO_HOME as the stack resolves it (scripts/stack/context.ts). */
function fluxoHome(): string {
  if (process.env.FLUXO_HOME) return process.env.FLUXO_HOME;
  return process.getuid?.() === 0 ? '/var/lib/fluxo' : join(homedir(), '.fluxo');
}

/** Adds the index to every collection of `database`; returns how many tables, or null without a local SQLite file. */
export function addFerretdbIdIndex(database: string): number | null {
  const file = join(fluxoHome(), 'data', 'mongo', `${database}.sqlite`);
  if (!existsSync(file)) return null;
  return Number(execFileSync('python3', ['-c', SCRIPT, file], { encoding: 'utf8' }).trim());
}
