/**
 * Backpressure: this API process's estimate of each shard's backlog (entries waiting or being flushed),
 * from the shard's `stats` query every LEDGER_STATS_INTERVAL_MS plus the entries signalled since the last
 * answer. While queries fail (no worker) the estimate only grows, so a shard that cannot drain soon
 * refuses more with 503 + Retry-After instead of piling up history.
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
}

const QUIET_AFTER_MS = 60_000;

export class LedgerBacklog {
  private readonly shards: ShardBacklog[];
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly client: Client,
    private readonly config: Pick<Config, 'LEDGER_SHARDS' | 'LEDGER_BUFFER_ID_PREFIX' | 'LEDGER_MAX_PENDING_PER_SHARD' | 'LEDGER_STATS_INTERVAL_MS' | 'LEDGER_FLUSH_INTERVAL_MS'>,
  ) {
    this.shards = Array.from({ length: config.LEDGER_SHARDS }, () => ({ reported: 0, signalledSince: 0, lastSignalAt: 0 }));
  }

  estimate(shard: number): number {
    const backlog = this.shards[shard]!;
    return backlog.reported + backlog.signalledSince;
  }

  /** True when the shard holds more than LEDGER_MAX_PENDING_PER_SHARD: refuse new entries for now. */
  full(shard: number): boolean {
    return this.estimate(shard) >= this.config.LEDGER_MAX_PENDING_PER_SHARD;
  }

  /** Seconds a refused caller should wait: about one flush interval, between 1 and 10 s. */
  retryAfterSeconds(): number {
    return Math.min(10, Math.max(1, Math.ceil(this.config.LEDGER_FLUSH_INTERVAL_MS / 2000)));
  }

  signalled(shard: number, entries: number): void {
    const backlog = this.shards[shard]!;
    backlog.signalledSince += entries;
    backlog.lastSignalAt = Date.now();
    this.start();
  }

  /** Every shard's estimate, for /ready and the shards endpoint. */
  snapshot(): { shard: number; backlog: number; full: boolean }[] {
    return this.shards.map((_, shard) => ({ shard, backlog: this.estimate(shard), full: this.full(shard) }));
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.config.LEDGER_STATS_INTERVAL_MS);
    this.timer.unref();
  }

  /** Asks each recently active (or still backlogged) shard for its stats. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      await Promise.all(
        this.shards.map(async (backlog, shard) => {
          if (now - backlog.lastSignalAt > QUIET_AFTER_MS && this.estimate(shard) === 0) return;
          const before = backlog.signalledSince;
          try {
            const handle = this.client.workflow.getHandle(bufferWorkflowId(this.config.LEDGER_BUFFER_ID_PREFIX, shard));
            const stats = await this.client.connection.withDeadline(Date.now() + this.config.LEDGER_STATS_INTERVAL_MS, () => handle.query(ledgerStatsQuery));
            backlog.reported = stats.pending + stats.inFlight;
          } catch (error) {
            if (!(error instanceof WorkflowNotFoundError)) return; // unknown: keep counting what we send
            backlog.reported = 0;
          }
          // Signals sent while the query was out may or may not be in its answer; count them to be safe.
          backlog.signalledSince -= before;
          ledgerShardBacklog.set({ shard: String(shard) }, this.estimate(shard));
        }),
      );
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** A `/ready` check (StoreHealth shape): down when some shard's backlog passed the bound. */
export function ledgerBacklogHealth(backlog: LedgerBacklog, maxPending: number): StoreHealth {
  return {
    name: 'ledger-backlog',
    async check() {
      const full = backlog.snapshot().filter((shard) => shard.full);
      if (full.length > 0) {
        throw new Error(`ledger shards over ${maxPending} pending entries: ${full.map((shard) => `${shard.shard} (${shard.backlog})`).join(', ')}`);
      }
    },
    async close() {
      backlog.stop();
    },
  };
}
