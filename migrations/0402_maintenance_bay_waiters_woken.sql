-- A waiter that has been signalled is marked woken until it either takes a cradle (and leaves the queue) or
-- finds every bay full again (and re-joins, keeping its place): two cradles freed at the same time then wake
-- two different sagas, where both used to signal the same oldest one and the second cradle sat idle until
-- another waiter's re-check timer.
ALTER TABLE maintenance_bay_waiters ADD COLUMN woken_at timestamptz;
DROP INDEX maintenance_bay_waiters_queue_idx;
CREATE INDEX maintenance_bay_waiters_queue_idx ON maintenance_bay_waiters (shatterdome, queued_at, maintenance_id) WHERE woken_at IS NULL;
