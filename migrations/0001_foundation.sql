-- The probe slice: one row per probe workflow (see src/domain/probe.ts).
CREATE TABLE system_probes (
  probe_id    uuid PRIMARY KEY,
  message     text NOT NULL,
  request_id  text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
