/**
 * Environment → typed configuration, validated once. Defaults point at the native stack on loopback
 * (`npm run stack`); the same variables point at managed services in production.
 * A wrong value stops start-up with one line naming the variable (see loadConfig).
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** Every setting fluxo reads, with its default. Keep README's configuration table in step with this. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Temporal
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  TEMPORAL_CONNECT_TIMEOUT_MS: positiveInt.default(5000),
  /** Comma list of task queues this worker process polls; empty = all of fluxo's queues. */
  WORKER_TASK_QUEUES: csv.default([]),
  WORKER_SHUTDOWN_GRACE_MS: positiveInt.default(30_000),

  // API
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  API_PUBLIC_URL: z.url().optional(),
  /** Stores without which `/ready` is 503; the others down only make it `degraded` (200). */
  READY_REQUIRED_STORES: csv.default(['temporal', 'postgres']),

  // PostgreSQL
  DATABASE_URL: z.string().min(1).default('postgresql://postgres@127.0.0.1:55432/fluxo'),
  DATABASE_POOL_MAX: positiveInt.default(20),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.default(60_000),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt.default(5000),

  // MongoDB-compatible (FerretDB natively, MongoDB in compose)
  MONGODB_URL: z.string().min(1).default('mongodb://127.0.0.1:27017'),
  MONGODB_DATABASE: z.string().min(1).default('fluxo'),
  MONGODB_TIMEOUT_MS: positiveInt.default(5000),
  /** Longest wait for one reply on an open connection (a hung server); long aggregations need more than connect. */
  MONGODB_SOCKET_TIMEOUT_MS: positiveInt.default(60_000),
  MONGODB_POOL_MAX: positiveInt.default(20),
  /** Off by default: FerretDB ignores txnNumber, so a driver-retried write is not deduplicated (see docs/services/mongo.md). */
  MONGODB_RETRY_WRITES: bool.default(false),

  // Neo4j
  NEO4J_URL: z.string().min(1).default('bolt://127.0.0.1:7687'),
  NEO4J_USER: z.string().default(''),
  NEO4J_PASSWORD: z.string().default(''),
  NEO4J_TIMEOUT_MS: positiveInt.default(5000),
  /** Empty = the server's default database (`neo4j`; Community has only that one). */
  NEO4J_DATABASE: z.string().default(''),
  /** How long the driver keeps retrying a read/write after transient errors (leader change, restart). */
  NEO4J_MAX_RETRY_TIME_MS: positiveInt.default(15_000),
  /** Server-side transaction timeout; the client also gives up this long after the retry budget. */
  NEO4J_QUERY_TIMEOUT_MS: positiveInt.default(60_000),
  NEO4J_POOL_MAX: positiveInt.default(50),

  // Kafka
  KAFKA_BROKERS: csv.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().default('fluxo'),
  KAFKA_TIMEOUT_MS: positiveInt.default(5000),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(3),
  KAFKA_TOPIC_RETENTION_MS: positiveInt.default(7 * 24 * 3600 * 1000),

  // Object storage
  STORAGE_BACKEND: z.enum(['local', 'gcs']).default('local'),
  /** Unset = <FLUXO_HOME>/data/storage: outside the clone, beside the stack data whose rows point at it. */
  STORAGE_LOCAL_DIR: z.string().min(1).optional(),
  STORAGE_GCS_BUCKET: z.string().min(1).default('fluxo'),
  /** Unset = Google's endpoint; the native stack's emulator is http://127.0.0.1:4443. */
  STORAGE_GCS_ENDPOINT: z.url().optional(),
  STORAGE_GCS_PROJECT_ID: z.string().default('fluxo-local'),
  /** Service-account JSON key; needed to sign v4 URLs offline (and for credentials on real GCS). */
  STORAGE_GCS_KEY_FILE: z.string().optional(),
  STORAGE_SIGNING_SECRET: z.string().min(16).default('fluxo-dev-signing-secret-change-me'),
  /** GCS v4 signed URLs live at most 7 days. */
  STORAGE_SIGNED_URL_TTL_SECONDS: positiveInt.max(7 * 24 * 3600).default(24 * 3600),
  /** Bound on each metadata call and on any stall (no bytes moving) of a transfer. */
  STORAGE_TIMEOUT_MS: positiveInt.default(10_000),

  // Ledger (lançamentos): see docs/ledger.md. Buffer settings are given to a shard workflow when it starts
  // and carried across continue-as-new; a changed value reaches a running shard when it is next started.
  /** Number of buffer workflows; an account maps to hash(account_id) mod LEDGER_SHARDS. Changing it remaps accounts. */
  LEDGER_SHARDS: positiveInt.max(1024).default(8),
  /** Shard workflow ids are `<prefix>-<n>`; tests and benchmarks use their own prefix to stay apart. */
  LEDGER_BUFFER_ID_PREFIX: z.string().regex(/^[\w.-]{1,80}$/).default('ledger-buffer'),
  LEDGER_FLUSH_SIZE: positiveInt.max(5000).default(1000),
  LEDGER_FLUSH_INTERVAL_MS: positiveInt.default(10_000),
  /** Flush activities a shard runs at once. */
  LEDGER_FLUSH_CONCURRENCY: positiveInt.max(8).default(2),
  /**
   * A shard continues-as-new past this many history events or bytes. Far below Temporal's limits (51,200 /
   * 50 MB) on purpose: a worker that restarts replays the whole current run, and must do so in well under
   * the 10 s workflow task timeout while signals keep arriving.
   */
  LEDGER_HISTORY_EVENTS_LIMIT: positiveInt.default(2000),
  LEDGER_HISTORY_BYTES_LIMIT: positiveInt.default(4 * 1024 * 1024),
  /** Most entries in one POST /v1/lancamentos/batch. */
  LEDGER_BATCH_MAX_ENTRIES: positiveInt.max(5000).default(1000),
  /** The API gathers a shard's concurrent requests for this long (or until LEDGER_SIGNAL_MAX_ENTRIES) into one signal. */
  LEDGER_MICROBATCH_WINDOW_MS: z.coerce.number().int().min(0).max(1000).default(2),
  LEDGER_SIGNAL_MAX_ENTRIES: positiveInt.max(5000).default(1000),
  /**
   * Signals a shard's micro-batcher has in flight at once in one API process. 1 = group commit: what
   * arrives while a signal is out goes in the next one, so the signal rate stays low however busy the API.
   */
  LEDGER_SIGNAL_CONCURRENCY: positiveInt.max(64).default(1),
  LEDGER_SIGNAL_TIMEOUT_MS: positiveInt.default(5000),
  /** Backpressure: past this many entries waiting in a shard, the API answers 503 with Retry-After. */
  LEDGER_MAX_PENDING_PER_SHARD: positiveInt.default(50_000),
  /** How often the API asks each shard for its backlog (stats query). */
  LEDGER_STATS_INTERVAL_MS: positiveInt.default(1000),
  /** A shard in use that has not answered a stats query for this long refuses entries (503) until it does. */
  LEDGER_STALL_MS: positiveInt.default(5000),
  /** The outbox relay to Kafka (`lancamentos.registrados`), a workflow the API keeps running. */
  LEDGER_RELAY_ENABLED: bool.default(true),
  LEDGER_RELAY_WORKFLOW_ID: z.string().regex(/^[\w.-]{1,100}$/).default('ledger-outbox-relay'),
  LEDGER_RELAY_BATCH_SIZE: positiveInt.max(5000).default(500),
  LEDGER_RELAY_IDLE_MS: positiveInt.default(1000),

  // Maintenance saga: see docs/maintenance.md. The saga settings are copied into a saga's input when it starts.
  /** No approve/reject within this long → the request is rejected; a reminder goes out at half of it. */
  MAINTENANCE_APPROVAL_TIMEOUT_SECONDS: positiveInt.default(24 * 3600),
  /** Unset = approver notifications are only recorded (maintenance_notifications); set = also POSTed here. */
  MAINTENANCE_NOTIFY_WEBHOOK_URL: z.url().optional(),
  MAINTENANCE_NOTIFY_TIMEOUT_MS: positiveInt.default(5000),
  /** While a shatterdome's bays are all full, a saga waits to be signalled and re-checks on its own this often. */
  MAINTENANCE_BAY_RECHECK_SECONDS: positiveInt.default(300),
  /** Attempts per compensation before the saga ends `compensation_failed` for an operator to resolve. */
  MAINTENANCE_COMPENSATION_MAX_ATTEMPTS: positiveInt.max(1000).default(20),
  /** Simulated duration of each task of an execution (the crew's work); 0 in benchmarks. */
  MAINTENANCE_WORK_UNIT_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  /** How long the API waits for a running saga to answer an approve/reject before answering 503. */
  MAINTENANCE_UPDATE_TIMEOUT_MS: positiveInt.default(10_000),
  /** Tests only: honour `fail_at_step`/`fail_compensation` (API and worker). Never enable in production. */
  MAINTENANCE_ALLOW_FAULT_INJECTION: bool.default(false),

  // Security and operations (issue 10): see docs/security.md and docs/operations.md.
  /** How callers authenticate. Never `none` by default; `none` is refused when NODE_ENV=production. */
  AUTH_MODE: z.enum(['apikey', 'oidc', 'gateway', 'none']).default('apikey'),
  /** oidc: the provider's JWKS (Keycloak: <issuer>/protocol/openid-connect/certs), expected `iss` and `aud`. */
  AUTH_OIDC_JWKS_URL: z.url().optional(),
  AUTH_OIDC_ISSUER: z.string().min(1).optional(),
  AUTH_OIDC_AUDIENCE: csv.default([]),
  /** Accepted JWS algorithms; HS* only with AUTH_OIDC_HMAC_SECRET, `none` never. */
  AUTH_OIDC_ALGORITHMS: csv.default(['RS256', 'ES256']),
  AUTH_OIDC_HMAC_SECRET: z.string().min(32).optional(),
  AUTH_OIDC_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Dotted path of the roles array in the token (Keycloak realm roles: realm_access.roles). */
  AUTH_OIDC_ROLES_CLAIM: z.string().min(1).default('realm_access.roles'),
  AUTH_OIDC_PRINCIPAL_CLAIM: z.string().min(1).default('sub'),
  /** Least time between two JWKS fetches triggered by an unknown `kid` (key rotation). */
  AUTH_OIDC_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  /** gateway: addresses or CIDRs of the proxies whose X-User-Id / X-Roles are trusted. */
  AUTH_TRUSTED_PROXIES: csv.default([]),
  /** apikey: how long a verified key is remembered; a revocation takes effect within this time. */
  AUTH_APIKEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  /** Requests per principal per window (token bucket); 0 turns the quota off. */
  QUOTA_REQUESTS: z.coerce.number().int().min(0).default(200),
  QUOTA_WINDOW_SECONDS: positiveInt.default(60),
  /** Browser origins allowed to call the API (exact origins, e.g. https://ops.example.com). */
  CORS_ALLOWED_ORIGINS: csv.default([]),
  /** Payload encryption (AES-256-GCM): `keyId=base64(32 bytes)` pairs; empty = payloads stored as plain JSON. */
  PAYLOAD_ENCRYPTION_KEYS: z.string().default(''),
  /** The key new payloads are encrypted with; required when more than one key is listed. */
  PAYLOAD_ENCRYPTION_KEY_ID: z.string().optional(),
  /** `none` lets the dev server's Web UI (which has no login) call /codec/*; refused in production. */
  CODEC_ENDPOINT_AUTH: z.enum(['required', 'none']).default('required'),
  /** The worker process's /metrics (its business metrics and the Temporal runtime's); empty = off. */
  WORKER_METRICS_BIND_ADDRESS: z.string().default('127.0.0.1:9464'),
  /** Where the API's /metrics reads the worker's to append its temporal_* families; empty = not appended. */
  WORKER_METRICS_URL: z.union([z.literal(''), z.url()]).default('http://127.0.0.1:9464/metrics'),
  /** OpenTelemetry tracing (HTTP → client → workflow → activity), exported over OTLP/HTTP. Off by default. */
  TRACING_ENABLED: bool.default(false),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().default('http://127.0.0.1:4318/v1/traces'),
  OTEL_SERVICE_NAME: z.string().min(1).default('fluxo'),

  // Catalog publishing (issue 6): see docs/catalog.md. Read by the catalog activities and the API.
  /** An import is rejected as a whole when invalid rows / data rows is above this fraction. */
  CATALOG_IMPORT_ERROR_THRESHOLD: z.coerce.number().min(0).max(1).default(0.01),
  /** Verification fails when items missing, extra or different (snapshot vs database) / items is above this. */
  CATALOG_DIVERGENCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.001),
  /** Validated rows per staging insert during an import. */
  CATALOG_IMPORT_BATCH_SIZE: positiveInt.max(20_000).default(5000),
  /** Issues kept in an import's report (all of them are counted). */
  CATALOG_IMPORT_MAX_ISSUES: positiveInt.default(10_000),
  /** Largest CSV body POST /v1/catalogo/sync accepts. */
  CATALOG_UPLOAD_MAX_BYTES: positiveInt.default(1024 ** 3),
  /** Write CatalogoPublicado to catalog_outbox in the publish transaction and relay it to Kafka. */
  CATALOG_EVENTS_ENABLED: bool.default(true),

  // Daily consolidation (issue 5): see docs/consolidation.md. Read by the reports activities when a run plans.
  /** Account ranges per day; each is consolidated by one idempotent activity. */
  CONSOLIDATION_PARTITIONS: positiveInt.max(256).default(8),
  /** Partition activities of one run at once (the seed's "concurrency 3"). */
  CONSOLIDATION_CONCURRENCY: positiveInt.max(32).default(3),
  /** Rows per Parquet part file (each part is built in memory: ~150 bytes a row while it is). */
  CONSOLIDATION_PARQUET_ROWS_PER_FILE: positiveInt.max(2_000_000).default(250_000),
  /** Object-storage prefix of the data lake. */
  CONSOLIDATION_DATALAKE_PREFIX: z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/).default('datalake'),
  /** Statement timeout of the consolidation's heavy statements (partition upserts, view refreshes, export). */
  CONSOLIDATION_STATEMENT_TIMEOUT_MS: positiveInt.default(15 * 60_000),
  /** The scheduled run also re-runs days of this many days before its own whose entries changed since their run. */
  CONSOLIDATION_LOOKBACK_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  /** Most days one backfill request covers. */
  CONSOLIDATION_BACKFILL_MAX_DAYS: positiveInt.max(3660).default(366),

  // Insights (issue 9): see docs/insights.md. Read by the insight activities and the API.
  /** Graph partition in Neo4j (Community has one database); empty = the MongoDB database name. */
  INSIGHTS_GRAPH_SCOPE: z.string().regex(/^[\w.-]{0,80}$/).default(''),
  /** Related insights kept per insight (RELATED_TO edges, related ids on the document). */
  INSIGHTS_RELATED_TOP_K: positiveInt.max(100).default(10),
  /** Keywords kept per insight (MENTIONS edges). */
  INSIGHTS_KEYWORDS_PER_INSIGHT: positiveInt.max(100).default(12),
  /** How long a worker reuses the document frequencies it read from MongoDB; 0 = read them every time. */
  INSIGHTS_TERM_STATS_CACHE_SECONDS: z.coerce.number().int().min(0).default(300),
  /** How long the graph step retries (Neo4j down, transient errors) before the insight is marked failed. */
  INSIGHTS_GRAPH_RETRY_WINDOW_SECONDS: positiveInt.default(3600),
  /** The reconciliation leaves documents in processing/deleting alone for this long (they are in flight). */
  INSIGHTS_STUCK_AFTER_SECONDS: positiveInt.default(900),
  /** Optional LLM enrichment of extracted entities, through the alerts' provider settings (ALERTS_LLM_*); off by default. */
  INSIGHTS_LLM_ENRICHMENT: bool.default(false),
  /** How long extraction waits for the LLM before keeping the local result alone. */
  INSIGHTS_LLM_TIMEOUT_MS: positiveInt.default(5000),

  // AI alert review (issue 8): see docs/alerts.md. Read by the event bridge, the alerts activities and the API.
  /** The topic the event bridge consumes (its DLQ is `<topic>.dlq`); tests use their own. */
  ALERTS_EVENTS_TOPIC: z.string().regex(/^[\w.-]{1,200}$/).default('lancamentos.registrados'),
  ALERTS_BRIDGE_GROUP_ID: z.string().regex(/^[\w.-]{1,200}$/).default('fluxo-alerts-bridge'),
  /** Partitions the bridge handles at once (order is kept within a partition). */
  ALERTS_BRIDGE_CONCURRENCY: positiveInt.max(64).default(3),
  /** Local scores at or above this go to the LLM review; unset = the threshold chosen when the model was trained. */
  ALERTS_PREFILTER_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  /** How long a review waits for an analyst before the escalation notice. */
  ALERTS_REVIEW_SLA_SECONDS: positiveInt.default(3600),
  /** false = the local model decides alone (recorded as fallback `disabled`). */
  ALERTS_LLM_ENABLED: bool.default(true),
  ALERTS_LLM_MODEL: z.string().min(1).default('gemini-2.5-flash'),
  /** Vertex AI project and location; with a service-account key the project defaults to the key's. */
  ALERTS_LLM_PROJECT_ID: z.string().default(''),
  ALERTS_LLM_LOCATION: z.string().min(1).default('us-central1'),
  /** Base URL replacing https://<location>-aiplatform.googleapis.com (a private endpoint, or the tests' stand-in). */
  ALERTS_LLM_ENDPOINT: z.url().optional(),
  /** metadata = the GCE/GKE metadata server (Workload Identity); service-account = a key file; api-key = Vertex express. */
  ALERTS_LLM_AUTH: z.enum(['metadata', 'service-account', 'api-key']).default('metadata'),
  ALERTS_LLM_CREDENTIALS_FILE: z.string().min(1).optional(),
  ALERTS_LLM_API_KEY: z.string().min(1).optional(),
  ALERTS_LLM_TIMEOUT_MS: positiveInt.default(20_000),
  /** Most tokens one call may use, input (estimated before sending) plus the output allowance. */
  ALERTS_LLM_TOKEN_BUDGET: positiveInt.default(6000),
  ALERTS_LLM_MAX_OUTPUT_TOKENS: positiveInt.default(512),
  /** LLM calls per second across every worker (a token bucket in PostgreSQL), and the burst it allows. */
  ALERTS_LLM_RATE_PER_SECOND: z.coerce.number().positive().default(5),
  ALERTS_LLM_BURST: positiveInt.default(10),
  /** Longest wait for the rate limit before the local decision stands (fallback `rate_limited`). */
  ALERTS_LLM_MAX_QUEUE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Unset = notifications are only recorded (alert_notifications); set = also POSTed here (stands for FCM/Admin). */
  ALERTS_NOTIFY_WEBHOOK_URL: z.url().optional(),
  ALERTS_NOTIFY_TIMEOUT_MS: positiveInt.default(5000),
  /** How long the API waits for a review saga to answer confirm/dismiss before answering 503. */
  ALERTS_UPDATE_TIMEOUT_MS: positiveInt.default(10_000),
  /** How stale the ledger API's view of blocked accounts may be (it re-reads account_blocks at most this often). */
  ALERTS_BLOCK_CACHE_MS: z.coerce.number().int().min(0).default(1000),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; the error message is one line naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
