/** The stores' connections. Defaults point at the native stack on loopback (`npm run stack`). */
import { z } from 'zod';
import { bool, csv, positiveInt } from './fields';

export const storeSettings = {
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
};
