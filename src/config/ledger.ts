/**
 * Ledger (lançamentos): see docs/ledger.md. Buffer settings are given to a shard workflow when it starts
 * and carried across continue-as-new; a changed value reaches a running shard when it is next started.
 */
import { z } from 'zod';
import { bool, positiveInt } from './fields';

export const ledgerSettings = {
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
};
