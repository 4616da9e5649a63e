-- Ledger (lançamentos): see docs/ledger.md.

-- One row per request_id ever submitted, written by the API before it signals the entry to its shard:
-- the idempotency registry. The same request_id with the same content_hash gets the same answer; with a
-- different hash, 409. It covers entries still buffered in a workflow as well as persisted ones.
CREATE TABLE ledger_requests (
  request_id   uuid PRIMARY KEY,
  content_hash text NOT NULL,
  shard        integer NOT NULL,
  claimed_at   timestamptz NOT NULL DEFAULT now()
);

-- The ledger itself, written only by the flush activity. Amounts are integer cents.
CREATE TABLE ledger_entries (
  request_id   uuid PRIMARY KEY,
  account_id   text NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  direction    text NOT NULL CHECK (direction IN ('credit', 'debit')),
  data_ref     date NOT NULL,
  description  text,
  metadata     jsonb,
  content_hash text NOT NULL,
  shard        integer NOT NULL,
  batch_id     text NOT NULL,
  accepted_at  timestamptz NOT NULL,
  persisted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_data_ref_account ON ledger_entries (data_ref, account_id);

-- The control table: one row per flushed batch, written in the same statement as its entries.
-- checksum = md5 of "request_id:direction:amount_cents" of the inserted rows, sorted by request_id, joined by ",".
CREATE TABLE ledger_batches (
  batch_id         text PRIMARY KEY,
  shard            integer NOT NULL,
  received_count   integer NOT NULL,
  entry_count      integer NOT NULL,
  amount_sum_cents numeric NOT NULL,
  credit_sum_cents numeric NOT NULL,
  debit_sum_cents  numeric NOT NULL,
  checksum         text NOT NULL,
  flushed_at       timestamptz NOT NULL DEFAULT now()
);

-- The transactional outbox of LancamentoRegistrado events. The event body is built from the entry when
-- relayed (the row stays small, so the flush stays fast); sent_at is set once Kafka acknowledged it.
CREATE TABLE ledger_outbox (
  event_id      uuid PRIMARY KEY,
  request_id    uuid NOT NULL,
  event_type    text NOT NULL DEFAULT 'LancamentoRegistrado',
  event_version integer NOT NULL DEFAULT 1,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz
);
CREATE INDEX ledger_outbox_unsent ON ledger_outbox (occurred_at) WHERE sent_at IS NULL;

-- The event id of an entry's LancamentoRegistrado: derived from the request_id, so every path that could
-- write or send the event twice produces the same id (consumers de-duplicate by it).
CREATE FUNCTION ledger_event_id(request_id uuid) RETURNS uuid
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT md5('LancamentoRegistrado:' || request_id::text)::uuid $$;
