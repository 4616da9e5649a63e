/**
 * Backpressure, from this API process's view of each shard, refreshed by the shard's `stats` query every
 * LEDGER_STATS_INTERVAL_MS:
 * - backlog: entries waiting or being flushed (last answer + entries signalled since); past
 *   LEDGER_MAX_PENDING_PER_SHARD the shard refuses new entries;
 * - stall: a shard in use that has not answered for LEDGER_STALL_MS (no worker, or a workflow task that
 *   takes seconds, e.g. replaying a long history) refuses new entries too. Signals sent to a workflow
 *   while one of its tasks runs are buffered by the server, and past 100 of them it fails that task and
 *   starts over; feeding a stalled shard would keep it stalled. Callers get 503 + Retry-After meanwhile.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../config';
import { ledgerStatsQuery } from '../../domain/ledger/buffer';
import { bufferWorkflowId } from '../../domain/ledger/shard';
import type { StoreHealth } from '../../stores/store';
import { ledgerShardBacklog } from './metrics';

interface ShardBacklog {
  /** pending + in flight at the last successful stats query. */
  reported: number;
  /** Entries this process signalled since that answer. */
  signalledSince: number;
  /** Last time this process signalled the shard (polling stops for quiet shards). */
  lastSignalAt: number;
  /** Last time the shard answered a stats query (or was known not to exist). */
  lastAnswerAt: number;
}

const QUIET_AFTER_MS = 60_000;

export class LedgerBacklog {
  private readonly shards: ShardBacklog[];
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly config: Pick<
      Config,
      'LEDGER_SHARDS' | 'LEDGER_BUFFER_ID_PREFIX' | 'LEDGER_MAX_PENDING_PER_SHARD' | 'LEDGER_STATS_INTERVAL_MS' | 'LEDGER_FLUSH_INTERVAL_MS' | 'LEDGER_STALL_MS'
    >,
  ) {
    this.shards = Array.from({ length: config.LEDGER_SHARDS }, () => ({ reported: 0, signalledSince: 0, lastSignalAt: 0, lastAnswerAt: 0 }));
  }

  estimate(shard: number): number {
    const backlog = this.shards[shard]!;
    return backlog.reported + backlog.signalledSince;
  }

  /** True when the shard holds more than LEDGER_MAX_PENDING_PER_SHARD: refuse new entries for now. */
  full(shard: number): boolean {
    return this.estimate(shard) >= this.config.LEDGER_MAX_PENDING_PER_SHARD;
  }

  /** True when the shard is in use and has not answered for LEDGER_STALL_MS. */
  stalled(shard: number): boolean {
    const backlog = this.shards[shard]!;
    return backlog.lastSignalAt > 0 && Date.now() - backlog.lastAnswerAt > this.config.LEDGER_STALL_MS;
  }

  /** Why the shard should not take entries now, or undefined. */
  refusal(shard: number): string | undefined {
    if (this.full(shard)) return `shard ${shard} has more than ${this.config.LEDGER_MAX_PENDING_PER_SHARD} entries waiting`;
    if (this.stalled(shard)) return `shard ${shard} has not answered for ${this.config.LEDGER_STALL_MS} ms (no worker, or it is catching up)`;
    return undefined;
  }

  /** Seconds a refused caller should wait: about one flush interval, between 1 and 10 s. */
  retryAfterSeconds(): number {
    return Math.min(10, Math.max(1, Math.ceil(this.config.LEDGER_FLUSH_INTERVAL_MS / 2000)));
  }

  signalled(shard: number, entries: number): void {
    const backlog = this.shards[shard]!;
    const now = Date.now();
    // A shard becoming active again gets a fresh stall clock: it was not polled while quiet.
    if (now - backlog.lastSignalAt > QUIET_AFTER_MS) backlog.lastAnswerAt = now;
    backlog.signalledSince += entries;
    backlog.lastSignalAt = now;
    this.start();
  }

  /** Every shard's estimate, for /ready and the shards endpoint. */
  snapshot(): { shard: number; backlog: number; full: boolean; stalled: boolean }[] {
    return this.shards.map((_, shard) => ({ shard, backlog: this.estimate(shard), full: this.full(shard), stalled: this.stalled(shard) }));
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.config.LEDGER_STATS_INTERVAL_MS);
    this.timer.unref();
  }

  /** Asks each recently active (or still backlogged) shard for its stats. */
  poll(): Promise<void> {
    this.polling ??= this.pollShards().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollShards(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      this.shards.map(async (backlog, shard) => {
        if (now - backlog.lastSignalAt > QUIET_AFTER_MS && this.estimate(shard) === 0 && !this.stalled(shard)) return;
        const before = backlog.signalledSince;
        try {
          const handle = this.client.workflow.getHandle(bufferWorkflowId(this.config.LEDGER_BUFFER_ID_PREFIX, shard));
          // A busy worker answers late rather than never: wait up to the stall bound.
          const stats = await this.client.connection.withDeadline(Date.now() + this.config.LEDGER_STALL_MS, () => handle.query(ledgerStatsQuery));
          backlog.reported = stats.pending + stats.inFlight;
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) return; // unknown: keep counting what we send
          backlog.reported = 0;
        }
        backlog.lastAnswerAt = Date.now();
        // Signals sent while the query was out may or may not be in its answer; count them to be safe.
        backlog.signalledSince -= before;
        ledgerShardBacklog.set({ shard: String(shard) }, this.estimate(shard));
      }),
    );
  }

  /**
   * Stops polling and waits for a poll in flight: a query still retrying inside the Temporal client when the
   * app closes its connection would otherwise fire on a closed channel and throw from a timer.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }
}

/** A `/ready` check (StoreHealth shape): down when some shard's backlog passed the bound. */
export function ledgerBacklogHealth(backlog: LedgerBacklog, maxPending: number): StoreHealth {
  return {
    name: 'ledger-backlog',
    async check() {
      const shards = backlog.snapshot();
      const full = shards.filter((shard) => shard.full);
      const stalled = shards.filter((shard) => shard.stalled && !shard.full);
      const problems = [
        ...full.map((shard) => `shard ${shard.shard} backlog ${shard.backlog} ≥ ${maxPending}`),
        ...stalled.map((shard) => `shard ${shard.shard} not answering`),
      ];
      if (problems.length > 0) throw new Error(`ledger: ${problems.join(', ')}`);
    },
    async close() {
      await backlog.stop();
    },
  };
}
