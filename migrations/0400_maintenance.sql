-- Maintenance saga (issue 7, src/domain/maintenance/): the fleet, the shatterdomes' bays and parts depots,
-- and the saga's own records. The CHECKs are the last line against over-allocation under concurrency: the
-- activities use conditional updates, and a bug that slipped past them would fail here instead of going negative.

CREATE TABLE jaegers (
  jaeger_id          text PRIMARY KEY CHECK (jaeger_id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name               text NOT NULL,
  mark               smallint NOT NULL CHECK (mark BETWEEN 1 AND 9),
  shatterdome        text NOT NULL,
  status             text NOT NULL CHECK (status IN ('active', 'deployed', 'maintenance', 'retired')),
  integrity          smallint NOT NULL CHECK (integrity BETWEEN 0 AND 100),
  last_maintained_at timestamptz
);
CREATE INDEX jaegers_shatterdome_idx ON jaegers (shatterdome);

-- A bay has `capacity` cradles; `in_use` counts the jaegers holding one (allocated until their work is done).
CREATE TABLE maintenance_bays (
  bay_id      text PRIMARY KEY,
  shatterdome text NOT NULL,
  name        text NOT NULL,
  capacity    integer NOT NULL CHECK (capacity >= 0),
  in_use      integer NOT NULL DEFAULT 0 CHECK (in_use >= 0),
  CONSTRAINT maintenance_bays_not_over_allocated CHECK (in_use <= capacity)
);
CREATE INDEX maintenance_bays_shatterdome_idx ON maintenance_bays (shatterdome);

-- Each shatterdome's parts depot: `quantity` is what is on the shelf (allocated parts are taken off it).
CREATE TABLE maintenance_parts (
  shatterdome text NOT NULL,
  sku         text NOT NULL,
  name        text NOT NULL,
  quantity    integer NOT NULL CHECK (quantity >= 0),
  PRIMARY KEY (shatterdome, sku)
);

-- One row per maintenance saga: what was asked, and the saga's progress as last recorded (the API's read model).
CREATE TABLE maintenance_requests (
  maintenance_id    uuid PRIMARY KEY,
  jaeger_id         text NOT NULL,
  type              text NOT NULL,
  requested_by      text NOT NULL,
  window_start      timestamptz NOT NULL,
  window_end        timestamptz NOT NULL,
  notes             text,
  workflow_id       text NOT NULL,
  run_id            text NOT NULL,
  request_id        text NOT NULL,
  position          text NOT NULL,
  approver          text,
  decision          text CHECK (decision IN ('approved', 'rejected')),
  decision_reason   text,
  decided_at        timestamptz,
  bay_id            text,
  slot_starts_at    timestamptz,
  slot_ends_at      timestamptz,
  outcome           text CHECK (outcome IN ('completed', 'rejected', 'failed', 'cancelled', 'compensation_failed')),
  failure           jsonb,
  completed_steps   jsonb NOT NULL DEFAULT '[]',
  compensations_run jsonb NOT NULL DEFAULT '[]',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX maintenance_requests_jaeger_idx ON maintenance_requests (jaeger_id, created_at DESC);

-- What a saga holds: a bay cradle and parts. Compensation deletes the row (and gives the resource back);
-- a completed execution marks the bay `released` and the parts `consumed`.
CREATE TABLE maintenance_allocations (
  maintenance_id uuid NOT NULL,
  resource_kind  text NOT NULL CHECK (resource_kind IN ('bay', 'part')),
  resource_id    text NOT NULL,
  quantity       integer NOT NULL CHECK (quantity > 0),
  status         text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'released', 'consumed')),
  allocated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (maintenance_id, resource_kind, resource_id)
);

CREATE TABLE maintenance_schedule_slots (
  maintenance_id uuid PRIMARY KEY,
  bay_id         text NOT NULL REFERENCES maintenance_bays (bay_id),
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL,
  status         text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'completed')),
  CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_schedule_slots_bay_idx ON maintenance_schedule_slots (bay_id, starts_at) WHERE status = 'booked';

-- The saga's idempotency journal, one row per (saga, side effect): `applied` in the same transaction as the
-- effect, `compensated` in the same transaction as its undo (or as a tombstone when the undo came first, so a
-- late retry of the effect does nothing), `settled` when the execution consumed it (nothing left to undo).
CREATE TABLE maintenance_saga_steps (
  maintenance_id uuid NOT NULL,
  action         text NOT NULL,
  status         text NOT NULL CHECK (status IN ('applied', 'compensated', 'settled')),
  detail         jsonb,
  changed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (maintenance_id, action)
);

-- Notifications to approvers, one per (saga, kind); the webhook delivery is recorded on the row.
CREATE TABLE maintenance_notifications (
  maintenance_id uuid NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('approval-requested', 'approval-reminder', 'approval-expired', 'approval-withdrawn')),
  audience       text[] NOT NULL,
  message        text NOT NULL,
  payload        jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  delivered_at   timestamptz,
  PRIMARY KEY (maintenance_id, kind)
);
