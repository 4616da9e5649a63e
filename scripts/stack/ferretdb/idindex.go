package main

// FerretDB 1.24's SQLite backend creates each collection's `_id_` index on `_ferretdb_sjson->"_id"`, but
// filters `{_id: …}` reads, updates and deletes with `_ferretdb_sjson->'$._id' = ?`
// (internal/backends/sqlite/collection.go). SQLite matches index expressions textually, so it never uses that
// index: every lookup by _id scans the whole collection and parses each document (measured at 10,000
// documents of ~9 KB: findOne ~280 ms, updateOne ~610 ms; with an index on the expression the queries use,
// ~2 ms each). MongoDB always indexes _id, and fluxo's code relies on that, as any MongoDB client does.
//
// keepIDIndexes adds that index to every collection table: FerretDB offers no hook on collection creation,
// so it sweeps the data directory every interval. The sweep is cheap (one indexed read of sqlite_master per
// database file) and new collections are small, so the CREATE INDEX holds SQLite's write lock for
// milliseconds; FerretDB waits on it through its busy timeout (10 s). FerretDB does not list the extra index
// (it is not in its metadata) and DROP TABLE drops it with the collection.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

const idIndexSuffix = "__id_sqlite"

// missingIDIndexes lists the collection tables that have no `<table>__id_sqlite` index yet.
const missingIDIndexes = `
SELECT c.table_name FROM _ferretdb_collections c
WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || '` + idIndexSuffix + `')`

// sqliteDirectory returns the directory of a --sqlite-url such as `file:data/` or `file:///var/lib/x/`.
func sqliteDirectory(sqliteURL string) (string, error) {
	u, err := url.Parse(sqliteURL)
	if err != nil {
		return "", err
	}
	dir := u.Path
	if dir == "" {
		dir = u.Opaque
	}
	if dir == "" {
		return "", fmt.Errorf("no directory in SQLite URL %q", sqliteURL)
	}
	return filepath.Clean(dir), nil
}

// keepIDIndexes sweeps dir until ctx ends.
func keepIDIndexes(ctx context.Context, dir string, interval time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			if err := addIDIndexes(ctx, file); err != nil && ctx.Err() == nil {
				logger.Warn("adding the _id index", "file", file, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// addIDIndexes indexes the collections of one database file that lack the index.
func addIDIndexes(ctx context.Context, file string) error {
	// mode=rw never creates the file: a database FerretDB has just dropped must stay dropped.
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, missingIDIndexes)
	if err != nil {
		if _, statErr := os.Stat(file); os.IsNotExist(statErr) {
			return nil // dropped while we looked
		}
		if strings.Contains(err.Error(), "no such table") {
			return nil // a database FerretDB is still creating
		}
		return err
	}
	var tables []string
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, table)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	for _, table := range tables {
		quoted := `"` + strings.ReplaceAll(table, `"`, `""`) + `"`
		index := `"` + strings.ReplaceAll(table+idIndexSuffix, `"`, `""`) + `"`
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')`, index, quoted)
		if _, err := db.ExecContext(ctx, q); err != nil && !strings.Contains(err.Error(), "no such table") {
			return err // "no such table": the collection was dropped since the query above
		}
	}
	return nil
}
