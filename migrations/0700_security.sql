-- API keys (issue 10, docs/security.md): service-to-service and local credentials. Only a SHA-256 of the key is
-- stored: keys are 256 random bits, so a fast hash cannot be brute-forced and a leaked table grants nothing.
-- A key carries the roles it may use and is revoked (never deleted) so its use stays attributable.
CREATE TABLE api_keys (
  key_id       uuid PRIMARY KEY,
  name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'),
  key_hash     text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  -- The first characters of the key, so an operator can tell keys apart without seeing them.
  key_prefix   text NOT NULL,
  roles        text[] NOT NULL CHECK (
                 cardinality(roles) > 0 AND roles <@ ARRAY['admin', 'operator', 'analyst', 'viewer', 'service']::text[]),
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  revoked_by   text,
  last_used_at timestamptz
);

-- The principal of a key is `apikey:<name>`: one live key per name keeps audit trails unambiguous.
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;
