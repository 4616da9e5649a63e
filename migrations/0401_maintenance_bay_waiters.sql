-- Maintenance sagas waiting for a free bay cradle in their shatterdome, oldest first. Whoever frees a cradle
-- (a finished execution, a released allocation) signals the oldest waiter's workflow, which tries again at once;
-- every waiter also re-checks on a slow timer, so a lost signal only delays it.
CREATE TABLE maintenance_bay_waiters (
  maintenance_id uuid PRIMARY KEY,
  shatterdome    text NOT NULL,
  workflow_id    text NOT NULL,
  queued_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX maintenance_bay_waiters_queue_idx ON maintenance_bay_waiters (shatterdome, queued_at);
