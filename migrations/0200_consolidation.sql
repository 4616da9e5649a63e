-- Daily consolidation (consolidacao_diaria): see docs/consolidation.md.

-- One row per account with entries on a day: that day's flows and the closing balance carried from the
-- account's previous row. Written only by the consolidation's partition activities, which replace a
-- partition's rows for the day in one transaction, so a re-run replaces and never adds.
CREATE TABLE consolidation_daily_balances (
  data_ref        date    NOT NULL,
  account_id      text    NOT NULL,
  opening_cents   bigint  NOT NULL,
  credit_cents    bigint  NOT NULL,
  debit_cents     bigint  NOT NULL,
  net_cents       bigint  NOT NULL,
  closing_cents   bigint  NOT NULL,
  entry_count     integer NOT NULL,
  run_id          text    NOT NULL,
  consolidated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (data_ref, account_id),
  CONSTRAINT consolidation_daily_balances_arithmetic
    CHECK (net_cents = credit_cents - debit_cents AND closing_cents = opening_cents + net_cents)
);
-- "The account's latest row before a day" (the carried balance) and an account's history.
CREATE INDEX consolidation_daily_balances_account ON consolidation_daily_balances (account_id, data_ref DESC);

-- A run's snapshot of the ledger: the ledger batches (control-table rows) holding the day's entries when the
-- run planned. Every later step reads the day's entries through this set, so entries committed while the run
-- goes on (new batches) are consistently left to the next run, and the reconciliation compares exactly these
-- batches with the control table. day_* = the part of the batch whose data_ref is this day.
CREATE TABLE consolidation_day_batches (
  data_ref         date    NOT NULL,
  batch_id         text    NOT NULL,
  day_entry_count  integer NOT NULL,
  day_credit_cents numeric NOT NULL,
  day_debit_cents  numeric NOT NULL,
  PRIMARY KEY (data_ref, batch_id)
);

-- One row per run (Temporal run id) of `consolidacao-<data_ref>`: status, step timings, counts, figures.
CREATE TABLE reports_runs (
  run_id        text PRIMARY KEY,
  workflow_id   text NOT NULL,
  data_ref      date NOT NULL,
  status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  requested_by  text NOT NULL,
  request_id    text NOT NULL,
  partitions    integer NOT NULL,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  -- [{step, started_at, duration_ms}] in workflow time.
  steps         jsonb NOT NULL DEFAULT '[]',
  -- The day's figures as consolidated (entries, accounts, credits, debits, files...).
  counts        jsonb,
  -- The day's entries as the run saw them: the scheduled run compares these with the ledger to find days
  -- that received late entries since (see docs/consolidation.md).
  entry_count   bigint,
  amount_cents  numeric,
  manifest_key  text,
  error         jsonb
);
CREATE INDEX reports_runs_data_ref ON reports_runs (data_ref, started_at DESC);

-- The read models (the seed's `reports_*` views). Materialized, so readers see the last complete refresh and
-- never a day half-way through a re-run; refreshed CONCURRENTLY (readers are not blocked), which needs a
-- unique index on each.
CREATE MATERIALIZED VIEW reports_daily_balances AS
  SELECT data_ref, account_id, opening_cents, credit_cents, debit_cents, net_cents, closing_cents, entry_count
  FROM consolidation_daily_balances;
CREATE UNIQUE INDEX reports_daily_balances_key ON reports_daily_balances (data_ref, account_id);
CREATE INDEX reports_daily_balances_account ON reports_daily_balances (account_id, data_ref DESC);

CREATE MATERIALIZED VIEW reports_daily_totals AS
  SELECT data_ref,
         count(*)::bigint          AS accounts,
         sum(entry_count)::bigint  AS entry_count,
         sum(credit_cents)         AS credit_cents,
         sum(debit_cents)          AS debit_cents,
         sum(net_cents)            AS net_cents
  FROM consolidation_daily_balances
  GROUP BY data_ref;
CREATE UNIQUE INDEX reports_daily_totals_key ON reports_daily_totals (data_ref);

-- The day's 100 accounts with the largest volume (credits + debits); ties broken by account id.
CREATE MATERIALIZED VIEW reports_top_accounts AS
  SELECT data_ref, rank, account_id, volume_cents, credit_cents, debit_cents, entry_count
  FROM (
    SELECT data_ref, account_id, credit_cents, debit_cents, entry_count,
           credit_cents::numeric + debit_cents AS volume_cents,
           row_number() OVER (PARTITION BY data_ref ORDER BY credit_cents::numeric + debit_cents DESC, account_id) AS rank
    FROM consolidation_daily_balances
  ) ranked
  WHERE rank <= 100;
CREATE UNIQUE INDEX reports_top_accounts_key ON reports_top_accounts (data_ref, rank);
