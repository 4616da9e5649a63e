-- Catalog publishing (Catálogo Publisher): see docs/catalog.md.
--
-- Every table is keyed by catalog_id so several catalogs (and tests, benchmarks) live side by side; the API
-- serves `default` unless told otherwise. Only the catalog publish workflow's activities write these tables.

-- The catalog itself. sku is compared byte-wise (COLLATE "C"): snapshots are sorted by it, and the order must
-- not depend on the server's locale, or the same catalog would give different bytes on another server.
CREATE TABLE catalog_items (
  catalog_id text NOT NULL,
  sku        text COLLATE "C" NOT NULL,
  name       text NOT NULL,
  price      numeric(12, 2) NOT NULL CHECK (price >= 0),
  category   text NOT NULL,
  active     boolean NOT NULL DEFAULT true,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (catalog_id, sku)
);

-- Versions: drafted by a publish run (one per run, found again by run_id so the draft is idempotent), then
-- published, or failed by the run's compensation; a published version becomes superseded by the next one.
CREATE TABLE catalog_versions (
  catalog_id       text NOT NULL,
  version          integer NOT NULL CHECK (version > 0),
  status           text NOT NULL CHECK (status IN ('draft', 'published', 'failed', 'superseded')),
  workflow_id      text NOT NULL,
  run_id           text NOT NULL UNIQUE,
  import_id        uuid,
  item_count       integer,
  sha256           text,
  size_bytes       bigint,
  snapshot_key     text,
  manifest_key     text,
  snapshot_uri     text,
  -- The version that was current when this one was published: a revert switches back to it.
  previous_version integer,
  failure_reason   text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  snapshot_at      timestamptz,
  verified_at      timestamptz,
  published_at     timestamptz,
  superseded_at    timestamptz,
  failed_at        timestamptz,
  PRIMARY KEY (catalog_id, version)
);
-- At most one published version per catalog, and at most one publish in progress (draft), whatever the code does.
CREATE UNIQUE INDEX catalog_versions_one_published ON catalog_versions (catalog_id) WHERE status = 'published';
CREATE UNIQUE INDEX catalog_versions_one_draft ON catalog_versions (catalog_id) WHERE status = 'draft';

-- The current pointer: switched in the same transaction that publishes a version.
CREATE TABLE catalog_current (
  catalog_id  text PRIMARY KEY,
  version     integer NOT NULL,
  switched_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (catalog_id, version) REFERENCES catalog_versions (catalog_id, version)
);

-- One row per CSV import. status: loading → loaded (validated rows staged) → applied (upserted into
-- catalog_items) → published; or rejected (error rate over the threshold, bad header, empty file),
-- reverted (the publish failed after the rows were applied: catalog_items restored), failed.
CREATE TABLE catalog_imports (
  import_id        uuid PRIMARY KEY,
  catalog_id       text NOT NULL,
  source_key       text NOT NULL,
  status           text NOT NULL CHECK (status IN ('loading', 'loaded', 'applied', 'published', 'rejected', 'reverted', 'failed')),
  workflow_id      text NOT NULL,
  run_id           text NOT NULL,
  bytes_read       bigint NOT NULL DEFAULT 0,
  rows_total       integer NOT NULL DEFAULT 0,
  rows_valid       integer NOT NULL DEFAULT 0,
  rows_invalid     integer NOT NULL DEFAULT 0,
  duplicates       integer NOT NULL DEFAULT 0,
  rows_upserted    integer,
  error_rate       numeric,
  error_threshold  numeric NOT NULL,
  issues_total     integer NOT NULL DEFAULT 0,
  rejection_reason text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  -- The apply's transaction time: the updated_at of every item it inserted or changed (see the backup below).
  applied_at       timestamptz
);

-- The import's report: one row per problem (row number, column, reason). severity 'error' rows were
-- dropped and count toward the error rate; 'warning' rows (an earlier duplicate of a sku) were resolved.
-- At most CATALOG_IMPORT_MAX_ISSUES rows are kept per import; issues_total above counts them all.
CREATE TABLE catalog_import_issues (
  import_id   uuid NOT NULL REFERENCES catalog_imports (import_id) ON DELETE CASCADE,
  seq         integer NOT NULL,
  row_number  integer NOT NULL,
  line_number integer NOT NULL,
  column_name text NOT NULL,
  reason      text NOT NULL,
  severity    text NOT NULL CHECK (severity IN ('error', 'warning')),
  PRIMARY KEY (import_id, seq)
);

-- An import's validated rows wait in a staging table of its own, catalog_stage_<import id> (UNLOGGED, loaded
-- with COPY, dropped when the run ends): see src/activities/catalog/staging.ts.

-- The items an applied import changed, as they were before, so a failed publish can put catalog_items back
-- exactly. The skus it added are the staged skus with no backup row whose updated_at is the import's
-- applied_at; unchanged items were not touched and need nothing. Dropped when the run ends.
CREATE TABLE catalog_import_backup (
  import_id  uuid NOT NULL,
  catalog_id text NOT NULL,
  sku        text COLLATE "C" NOT NULL,
  name       text NOT NULL,
  price      numeric(12, 2) NOT NULL,
  category   text NOT NULL,
  active     boolean NOT NULL,
  attributes jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (import_id, sku)
);

-- The transactional outbox of CatalogoPublicado events (topic catalogo.publicados), written in the
-- publish transaction; sent_at is set once Kafka acknowledged the event.
CREATE TABLE catalog_outbox (
  event_id      uuid PRIMARY KEY,
  catalog_id    text NOT NULL,
  version       integer NOT NULL,
  event_type    text NOT NULL DEFAULT 'CatalogoPublicado',
  event_version integer NOT NULL DEFAULT 1,
  payload       jsonb NOT NULL,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz,
  UNIQUE (catalog_id, version)
);
CREATE INDEX catalog_outbox_unsent ON catalog_outbox (occurred_at) WHERE sent_at IS NULL;
