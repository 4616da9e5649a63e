-- The plan's per-account sums of the run's snapshot (see docs/consolidation.md, *Performance*): written by the
-- plan in the same REPEATABLE READ pass that fixes consolidation_day_batches, so they are exactly the day's
-- entries of those batches; the partition activities build the day's balances from them instead of each
-- re-reading the day's entries. Replaced by every plan of the day; deleted when the run records its end.
-- The reconciliation does not read them: it re-reads the entries to check the balances independently.
CREATE TABLE consolidation_day_accounts (
  data_ref     date    NOT NULL,
  account_id   text    NOT NULL,
  credit_cents numeric NOT NULL,
  debit_cents  numeric NOT NULL,
  entry_count  bigint  NOT NULL,
  PRIMARY KEY (data_ref, account_id)
);
