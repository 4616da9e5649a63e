-- AI alert review (alerts): see docs/alerts.md.

-- Point-in-time reads of an account's entries (feature store, LLM context): the ledger's own index is by data_ref.
CREATE INDEX IF NOT EXISTS ledger_entries_account_accepted ON ledger_entries (account_id, accepted_at);

-- The feature store: per-account rolling features over 1 h / 24 h / 30 d (count, sum, mean, population standard
-- deviation of amounts), account age, hour-of-day profile and distinct counterparties. Amounts are in currency
-- units (features, not money).
-- Refreshed for an account by its evaluation (right after the ledger flush relayed its event) and for every
-- recently active account by the hourly schedule `alerts-features-hourly`.
CREATE TABLE alert_account_features (
  account_id                  text PRIMARY KEY,
  as_of                       timestamptz NOT NULL,
  count_1h                    integer NOT NULL,
  sum_1h                      double precision NOT NULL,
  mean_1h                     double precision NOT NULL,
  std_1h                      double precision NOT NULL,
  count_24h                   integer NOT NULL,
  sum_24h                     double precision NOT NULL,
  mean_24h                    double precision NOT NULL,
  std_24h                     double precision NOT NULL,
  count_30d                   integer NOT NULL,
  sum_30d                     double precision NOT NULL,
  mean_30d                    double precision NOT NULL,
  std_30d                     double precision NOT NULL,
  -- First entry ever seen for the account (its age); null when it has none before as_of.
  first_seen_at               timestamptz,
  -- Entries of the last 30 days per hour of day (0..23, America/Sao_Paulo).
  hour_profile                integer[] NOT NULL,
  -- Distinct metadata.counterparty values of the last 30 days (0 when entries carry none).
  distinct_counterparties_30d integer NOT NULL,
  refreshed_at                timestamptz NOT NULL DEFAULT now()
);

-- An account's features as of `as_of`, from ledger_entries, leaving out one entry (the one being evaluated, so
-- its own amount is compared with the history before it). Windows are (as_of - w, as_of].
CREATE FUNCTION alert_account_features_at(p_account_id text, p_as_of timestamptz, p_exclude uuid)
RETURNS TABLE (
  account_id text, as_of timestamptz,
  count_1h integer, sum_1h double precision, mean_1h double precision, std_1h double precision,
  count_24h integer, sum_24h double precision, mean_24h double precision, std_24h double precision,
  count_30d integer, sum_30d double precision, mean_30d double precision, std_30d double precision,
  first_seen_at timestamptz, hour_profile integer[], distinct_counterparties_30d integer
)
LANGUAGE sql STABLE AS $$
  WITH recent AS (
    SELECT e.amount_cents / 100.0 AS amount, e.accepted_at, e.metadata
    FROM ledger_entries e
    WHERE e.account_id = p_account_id
      AND e.accepted_at > p_as_of - interval '30 days' AND e.accepted_at <= p_as_of
      AND (p_exclude IS NULL OR e.request_id <> p_exclude)
  ), windows AS (
    SELECT
      count(*) FILTER (WHERE accepted_at > p_as_of - interval '1 hour')::int AS c1,
      coalesce(sum(amount) FILTER (WHERE accepted_at > p_as_of - interval '1 hour'), 0)::float8 AS s1,
      coalesce(avg(amount) FILTER (WHERE accepted_at > p_as_of - interval '1 hour'), 0)::float8 AS m1,
      coalesce(stddev_pop(amount) FILTER (WHERE accepted_at > p_as_of - interval '1 hour'), 0)::float8 AS d1,
      count(*) FILTER (WHERE accepted_at > p_as_of - interval '24 hours')::int AS c24,
      coalesce(sum(amount) FILTER (WHERE accepted_at > p_as_of - interval '24 hours'), 0)::float8 AS s24,
      coalesce(avg(amount) FILTER (WHERE accepted_at > p_as_of - interval '24 hours'), 0)::float8 AS m24,
      coalesce(stddev_pop(amount) FILTER (WHERE accepted_at > p_as_of - interval '24 hours'), 0)::float8 AS d24,
      count(*)::int AS c30,
      coalesce(sum(amount), 0)::float8 AS s30,
      coalesce(avg(amount), 0)::float8 AS m30,
      coalesce(stddev_pop(amount), 0)::float8 AS d30,
      count(DISTINCT metadata->>'counterparty')::int AS counterparties
    FROM recent
  ), hours AS (
    SELECT array_agg(coalesce(h.n, 0)::int ORDER BY g.hour) AS profile
    FROM generate_series(0, 23) AS g(hour)
    LEFT JOIN (
      SELECT extract(hour FROM accepted_at AT TIME ZONE 'America/Sao_Paulo')::int AS hour, count(*) AS n
      FROM recent GROUP BY 1
    ) h ON h.hour = g.hour
  )
  SELECT p_account_id, p_as_of,
         w.c1, w.s1, w.m1, w.d1, w.c24, w.s24, w.m24, w.d24, w.c30, w.s30, w.m30, w.d30,
         (SELECT min(e.accepted_at) FROM ledger_entries e
           WHERE e.account_id = p_account_id AND e.accepted_at <= p_as_of
             AND (p_exclude IS NULL OR e.request_id <> p_exclude)),
         hours.profile, w.counterparties
  FROM windows w, hours
$$;

-- One row per evaluated LancamentoRegistrado event (the evaluation workflow `alert-<event_id>` writes it once).
CREATE TABLE alert_evaluations (
  event_id        uuid PRIMARY KEY,
  account_id      text NOT NULL,
  request_id      uuid NOT NULL,
  occurred_at     timestamptz NOT NULL,
  local_score     double precision NOT NULL,
  model_version   text NOT NULL,
  score           double precision NOT NULL,
  action          text NOT NULL CHECK (action IN ('ignore', 'monitor', 'block', 'escalate')),
  source          text NOT NULL CHECK (source IN ('llm', 'local')),
  model           text NOT NULL,
  prompt_version  text,
  -- {prompt, output, total, estimated} when the LLM was asked; null otherwise.
  tokens          jsonb,
  -- Why the local decision stands although the LLM was to review (timeout, http_5xx, malformed, ...).
  fallback_reason text,
  reason          text NOT NULL,
  workflow_id     text NOT NULL,
  decided_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_evaluations_account ON alert_evaluations (account_id, decided_at DESC);

-- Alerts: evaluations whose action is not `ignore`, each reviewed by its saga `alert-review-<event_id>`.
CREATE TABLE alerts (
  alert_id        uuid PRIMARY KEY,
  event_id        uuid NOT NULL UNIQUE REFERENCES alert_evaluations (event_id),
  account_id      text NOT NULL,
  request_id      uuid NOT NULL,
  status          text NOT NULL CHECK (status IN ('open', 'escalated', 'confirmed', 'dismissed', 'cancelled')),
  score           double precision NOT NULL,
  action          text NOT NULL CHECK (action IN ('monitor', 'block', 'escalate')),
  source          text NOT NULL CHECK (source IN ('llm', 'local')),
  reason          text NOT NULL,
  workflow_id     text NOT NULL,
  sla_deadline    timestamptz NOT NULL,
  escalated_at    timestamptz,
  reviewed_by     text,
  reviewed_at     timestamptz,
  review_action   text CHECK (review_action IN ('monitor', 'block', 'escalate')),
  review_note     text,
  false_positive  boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_status_created ON alerts (status, created_at DESC);
CREATE INDEX alerts_account_created ON alerts (account_id, created_at DESC);

-- Account blocks placed by alert reviews, one row per (account, alert): an account is blocked while any of its
-- rows is `held` (an alert with action block awaits review) or `confirmed` (an analyst confirmed it). The
-- ledger API answers 423 for new entries on it. A dismissal releases the alert's row (the saga's compensation).
CREATE TABLE account_blocks (
  account_id     text NOT NULL,
  alert_id       uuid NOT NULL REFERENCES alerts (alert_id),
  state          text NOT NULL CHECK (state IN ('held', 'confirmed', 'released')),
  blocked_at     timestamptz NOT NULL DEFAULT now(),
  confirmed_at   timestamptz,
  released_at    timestamptz,
  release_reason text,
  PRIMARY KEY (account_id, alert_id)
);
CREATE INDEX account_blocks_active ON account_blocks (account_id) WHERE state <> 'released';

-- Notifications sent for alerts (the webhook stands for FCM/Admin): recorded once per (alert, kind).
CREATE TABLE alert_notifications (
  alert_id     uuid NOT NULL REFERENCES alerts (alert_id),
  kind         text NOT NULL,
  payload      jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  PRIMARY KEY (alert_id, kind)
);

-- The SIEM log: one structured line per decision (the AI's alert, holds, analyst decisions, escalations,
-- releases), written once per (alert, kind) and also printed as a JSON log line for the SIEM shipper.
CREATE TABLE alert_siem_log (
  seq        bigserial PRIMARY KEY,
  alert_id   uuid NOT NULL,
  kind       text NOT NULL,
  line       jsonb NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (alert_id, kind)
);

-- The LLM rate limit shared by every worker: a token bucket per name, refilled continuously.
CREATE TABLE alert_llm_rate_limit (
  name        text PRIMARY KEY,
  tokens      double precision NOT NULL,
  refilled_at timestamptz NOT NULL
);
