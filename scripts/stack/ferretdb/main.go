// Command ferretdb runs FerretDB v1 (MongoDB wire protocol over SQLite or PostgreSQL) for fluxo's native
// stack. It embeds the github.com/FerretDB/FerretDB/ferretdb package instead of building the upstream
// cmd/ferretdb, because the module zip lacks build/version/version.txt and the upstream command panics
// at start without it (FerretDB issue 2982); the embeddable package never reads that file.
//
// The flags keep the upstream names so docs and muscle memory carry over. Telemetry is always off in the
// embedded package; --telemetry is accepted only for that reason. No metrics or debug HTTP port is opened.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite URI of a directory (must end with /)")
	postgresURL := flag.String("postgresql-url", "postgres://127.0.0.1:5432/ferretdb", "PostgreSQL URL")
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "listen TCP address")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.String("telemetry", "disable", "accepted for compatibility; the embedded build never reports")
	idIndexEvery := flag.Duration("id-index-interval", time.Second,
		"how often to give new SQLite collections the _id index FerretDB's queries can use (see idindex.go); 0 disables")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(*logLevel))); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: bad --log-level %q\n", *logLevel)
		os.Exit(2)
	}
	var logHandler slog.Handler = slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})
	if level >= slog.LevelWarn {
		logHandler = quiet{logHandler}
	}
	logger := slog.New(logHandler)

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:        logger,
		Handler:       *handler,
		SQLiteURL:     *sqliteURL,
		PostgreSQLURL: *postgresURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %s\n", err)
		os.Exit(1)
	}

	// SIGTERM (the stack's stop) closes the listener and every connection, then the backend, so SQLite
	// files are closed cleanly and a restart finds all acknowledged writes.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	if *handler == "sqlite" && *idIndexEvery > 0 {
		dir, err := sqliteDirectory(*sqliteURL)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: %s\n", err)
			os.Exit(2)
		}
		go keepIDIndexes(ctx, dir, *idIndexEvery, logger)
	}

	logger.Info("ferretdb listening", "addr", *listenAddr, "handler", *handler)
	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %s\n", err)
		os.Exit(1)
	}
}

// quiet drops two kinds of warnings FerretDB logs for every connection, which would otherwise fill the log:
// the full dump of each error reply (the client gets the same error; the driver's `endSessions` on every
// close is one, as FerretDB has no sessions) and "Connection stopped" when a client hangs up.
// Errors and FerretDB's other warnings pass; --log-level=info shows everything.
type quiet struct{ slog.Handler }

func (q quiet) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError && (strings.HasPrefix(r.Message, "Response ") || r.Message == "Connection stopped") {
		return nil
	}
	return q.Handler.Handle(ctx, r)
}

func (q quiet) WithAttrs(attrs []slog.Attr) slog.Handler { return quiet{q.Handler.WithAttrs(attrs)} }

func (q quiet) WithGroup(name string) slog.Handler { return quiet{q.Handler.WithGroup(name)} }
