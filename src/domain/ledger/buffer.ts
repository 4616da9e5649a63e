/**
 * The contract of a shard's buffer workflow (`ledger-buffer-<n>`): its input, the signal that feeds it,
 * the `flush` update and the queries. Shared by the workflow, the API and the consolidation domain.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Config } from '../../config';
import type { BufferedEntry } from './buffered-entry';

export interface LedgerBufferSettings {
  /** Flush when this many entries wait (also the most entries in one flush activity). */
  flushSize: number;
  /** The most bytes (estimated) in one flush activity's input. */
  flushMaxBytes: number;
  /** Entries never wait longer than this for a flush. */
  flushIntervalMs: number;
  /** Flush activities in flight at once. */
  flushConcurrency: number;
  historyEventsLimit: number;
  historyBytesLimit: number;
  /** At continue-as-new, flush until at most this many entries / bytes remain, then carry those across. */
  carryMaxEntries: number;
  carryMaxBytes: number;
}

export interface LedgerBufferTotals {
  /** Entries taken into the buffer (not counting duplicates). */
  received: number;
  /** Entries ignored because the same request_id was already waiting or being flushed. */
  duplicates: number;
  /** Entries the flushes inserted (a retried request_id already in PostgreSQL is not counted twice). */
  persisted: number;
  batches: number;
  /** Sum of persisted amounts in cents (decimal string: bigint does not cross JSON). */
  persistedCents: string;
  /** Runs of this shard so far (continue-as-new count + 1). */
  runs: number;
}

export interface LedgerLastFlush {
  batchId: string;
  inserted: number;
  received: number;
  /** Workflow time when the flush completed, ISO 8601. */
  at: string;
  durationMs: number;
}

export interface LedgerBufferInput {
  shard: number;
  shards: number;
  settings: LedgerBufferSettings;
  /** What the previous run handed over at continue-as-new. */
  carried?: {
    pending: BufferedEntry[];
    totals: LedgerBufferTotals;
    lastFlush?: LedgerLastFlush;
    latestDataRef?: string;
  };
}

export interface LedgerEntriesSignal {
  entries: BufferedEntry[];
}

export interface LedgerBufferStats {
  shard: number;
  /** Entries waiting for a flush. */
  pending: number;
  /** Entries in flush activities now. */
  inFlight: number;
  /** Acceptance time (epoch ms) of the oldest entry not yet persisted, if any. */
  oldestAcceptedAt?: number;
  totals: LedgerBufferTotals;
  lastFlush?: LedgerLastFlush;
  historyLength: number;
  historySize: number;
}

export interface LedgerFlushRequest {
  /** Flush everything that may belong to this date or earlier (YYYY-MM-DD). */
  dataRef: string;
}

export interface LedgerFlushResult {
  shard: number;
  dataRef: string;
  /** Entries of this run persisted so far, after the flush. */
  persistedTotal: number;
}

export const ledgerEntriesSignal = defineSignal<[LedgerEntriesSignal]>('ledgerEntries');
/** Persist every entry the shard holds (at least all with data_ref ≤ the given date); resolves once they are in PostgreSQL. */
export const ledgerFlushUpdate = defineUpdate<LedgerFlushResult, [LedgerFlushRequest]>('flush');
export const ledgerStatsQuery = defineQuery<LedgerBufferStats>('stats');
/**
 * Retire the shard: flush everything, then complete (e.g. after LEDGER_SHARDS changed, or before a
 * deployment that changes the workflow). Safe at any time: a later signal-with-start begins a fresh run.
 */
export const ledgerRetireUpdate = defineUpdate<LedgerBufferStats>('retire');
/** Which of the given request ids this shard still holds (waiting or being flushed). */
export const ledgerHeldQuery = defineQuery<string[], [string[]]>('held');

export const LEDGER_BUFFER_WORKFLOW = 'ledgerBufferWorkflow';

/** The buffer settings a shard starts with, from config. */
export function bufferSettings(config: Config): LedgerBufferSettings {
  return {
    flushSize: config.LEDGER_FLUSH_SIZE,
    flushMaxBytes: 1_000_000,
    flushIntervalMs: config.LEDGER_FLUSH_INTERVAL_MS,
    flushConcurrency: config.LEDGER_FLUSH_CONCURRENCY,
    historyEventsLimit: config.LEDGER_HISTORY_EVENTS_LIMIT,
    historyBytesLimit: config.LEDGER_HISTORY_BYTES_LIMIT,
    // Carried entries travel in the next run's input: bounded well under Temporal's 2 MB payload limit
    // and under the history budget, so a new run does not start nearly full.
    carryMaxEntries: config.LEDGER_FLUSH_SIZE,
    carryMaxBytes: Math.min(500_000, Math.floor(config.LEDGER_HISTORY_BYTES_LIMIT / 4)),
  };
}
