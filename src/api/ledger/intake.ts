/**
 * The ledger intake of one API process. Requests for a shard are gathered for a few milliseconds (or until
 * LEDGER_SIGNAL_MAX_ENTRIES) into one micro-batch, like a group commit; each micro-batch is one claim
 * statement in PostgreSQL (idempotency, see claims.ts) and one signal-with-start to the shard's buffer
 * workflow. A request is answered `accepted` only after that signal call returned, i.e. once its entry is
 * in the workflow's history.
 */
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { bufferSettings, LEDGER_BUFFER_WORKFLOW, ledgerEntriesSignal, type LedgerBufferInput } from '../../domain/ledger/buffer';
import { entryBytes, type BufferedEntry } from '../../domain/ledger/entry';
import { bufferWorkflowId } from '../../domain/ledger/shard';
import { taskQueues } from '../../domain/task-queues';
import type { PostgresStore } from '../../stores/postgres';
import type { LedgerOutboxRelayInput } from '../../workflows/ledger/outbox-relay';
import { LedgerBacklog, ledgerBacklogHealth } from './backlog';
import { claimRequests, persistedAmong } from './claims';
import { ledgerIntakeEntries, ledgerSignalDuration, ledgerSignalEntries } from './metrics';

export type IntakeResult =
  | { status: 'accepted' }
  | { status: 'conflict' }
  | { status: 'unavailable'; retryAfterSeconds: number; reason: string };

interface Item {
  entry: BufferedEntry;
  resolve: (result: IntakeResult) => void;
}

/** Bytes of one signal's entries: well under Temporal's 2 MB payload limit (its warning starts at 512 KB). */
const SIGNAL_MAX_BYTES = 400_000;
const RELAY_ENSURE_INTERVAL_MS = 60_000;

export interface IntakeDeps {
  config: Config;
  temporal: Client;
  postgres: PostgresStore;
  logger: Logger;
}

export class LedgerIntake {
  readonly backlog: LedgerBacklog;
  private readonly queues: Item[][];
  private readonly timers: (NodeJS.Timeout | undefined)[];
  private readonly inFlight: number[];
  private readonly bufferInput: (shard: number) => LedgerBufferInput;
  private relayEnsuredAt = 0;
  private closed = false;

  constructor(private readonly deps: IntakeDeps) {
    const { config } = deps;
    this.backlog = new LedgerBacklog(deps.temporal, config);
    this.queues = Array.from({ length: config.LEDGER_SHARDS }, () => []);
    this.timers = Array.from({ length: config.LEDGER_SHARDS }, () => undefined);
    this.inFlight = Array.from({ length: config.LEDGER_SHARDS }, () => 0);
    const settings = bufferSettings(config);
    this.bufferInput = (shard) => ({ shard, shards: config.LEDGER_SHARDS, settings });
  }

  /** Queues an entry for its shard; resolves with its outcome. */
  submit(shard: number, entry: BufferedEntry): Promise<IntakeResult> {
    if (this.closed) return Promise.resolve(this.unavailable('the API is shutting down'));
    const refusal = this.backlog.refusal(shard);
    if (refusal) {
      ledgerIntakeEntries.inc({ outcome: 'unavailable' });
      return Promise.resolve(this.unavailable(refusal));
    }
    return new Promise((resolve) => {
      const queue = this.queues[shard]!;
      queue.push({ entry, resolve });
      if (queue.length >= this.deps.config.LEDGER_SIGNAL_MAX_ENTRIES) this.drain(shard);
      else if (!this.timers[shard]) {
        this.timers[shard] = setTimeout(() => this.drain(shard), this.deps.config.LEDGER_MICROBATCH_WINDOW_MS);
      }
    });
  }

  /** Sends queued items as micro-batches while the shard has signal slots free. */
  private drain(shard: number): void {
    clearTimeout(this.timers[shard]);
    this.timers[shard] = undefined;
    const queue = this.queues[shard]!;
    while (queue.length > 0 && this.inFlight[shard]! < this.deps.config.LEDGER_SIGNAL_CONCURRENCY) {
      const batch = this.takeBatch(queue);
      this.inFlight[shard]! += 1;
      void this.dispatch(shard, batch).finally(() => {
        this.inFlight[shard]! -= 1;
        if (queue.length > 0) this.drain(shard);
      });
    }
  }

  private takeBatch(queue: Item[]): Item[] {
    let count = 0;
    let bytes = 0;
    for (const item of queue) {
      const size = entryBytes(item.entry);
      if (count >= this.deps.config.LEDGER_SIGNAL_MAX_ENTRIES || (count > 0 && bytes + size > SIGNAL_MAX_BYTES)) break;
      count += 1;
      bytes += size;
    }
    return queue.splice(0, count);
  }

  private async dispatch(shard: number, items: Item[]): Promise<void> {
    const started = process.hrtime.bigint();
    const pool = this.deps.postgres.pool();
    let claims;
    try {
      claims = await claimRequests(
        pool,
        items.map(({ entry }) => ({ requestId: entry.requestId, contentHash: entry.contentHash, shard })),
      );
    } catch (error) {
      this.fail(items, 'PostgreSQL is unavailable', error);
      return;
    }

    const accepted: Item[] = [];
    const repeats: string[] = [];
    for (const item of items) {
      const claim = claims.get(item.entry.requestId);
      if (!claim || claim.registeredHash !== item.entry.contentHash) {
        ledgerIntakeEntries.inc({ outcome: 'conflict' });
        item.resolve({ status: 'conflict' });
        continue;
      }
      accepted.push(item);
      if (!claim.claimed) repeats.push(item.entry.requestId);
    }
    if (accepted.length === 0) return;

    try {
      // A repeated request whose entry is already in PostgreSQL needs no signal; one still buffered (or
      // whose earlier signal failed) is signalled again: the workflow and the flush de-duplicate.
      const persisted = await persistedAmong(pool, repeats);
      const toSignal = new Map<string, BufferedEntry>();
      for (const { entry } of accepted) if (!persisted.has(entry.requestId)) toSignal.set(entry.requestId, entry);
      if (toSignal.size > 0) await this.signal(shard, [...toSignal.values()]);
      this.backlog.signalled(shard, toSignal.size);
    } catch (error) {
      this.fail(accepted, 'Temporal did not take the entries', error);
      return;
    }
    const repeated = new Set(repeats);
    for (const item of accepted) {
      ledgerIntakeEntries.inc({ outcome: repeated.has(item.entry.requestId) ? 'duplicate' : 'accepted' });
      item.resolve({ status: 'accepted' });
    }
    ledgerSignalEntries.observe(items.length);
    ledgerSignalDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.ensureRelay();
  }

  private async signal(shard: number, entries: BufferedEntry[]): Promise<void> {
    const { config, temporal } = this.deps;
    await temporal.connection.withDeadline(Date.now() + config.LEDGER_SIGNAL_TIMEOUT_MS, () =>
      temporal.workflow.signalWithStart(LEDGER_BUFFER_WORKFLOW, {
        workflowId: bufferWorkflowId(config.LEDGER_BUFFER_ID_PREFIX, shard),
        taskQueue: taskQueues.ledger,
        args: [this.bufferInput(shard)],
        signal: ledgerEntriesSignal,
        signalArgs: [{ entries }],
        staticSummary: `Ledger buffer: shard ${shard} of ${config.LEDGER_SHARDS}`,
      }),
    );
  }

  /** Keeps the outbox relay workflow running (started on demand like the shards; checked once a minute). */
  private ensureRelay(): void {
    const { config, temporal, logger } = this.deps;
    if (!config.LEDGER_RELAY_ENABLED || Date.now() - this.relayEnsuredAt < RELAY_ENSURE_INTERVAL_MS) return;
    this.relayEnsuredAt = Date.now();
    const input: LedgerOutboxRelayInput = { batchSize: config.LEDGER_RELAY_BATCH_SIZE, idleMs: config.LEDGER_RELAY_IDLE_MS, budgetMs: 30_000 };
    temporal.workflow
      .start('ledgerOutboxRelayWorkflow', {
        workflowId: config.LEDGER_RELAY_WORKFLOW_ID,
        taskQueue: taskQueues.ledger,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        staticSummary: 'Ledger outbox → Kafka lancamentos.registrados',
      })
      .catch((error: unknown) => {
        this.relayEnsuredAt = 0;
        logger.warn({ err: error }, 'could not start the ledger outbox relay; will try again');
      });
  }

  private unavailable(reason: string): IntakeResult {
    return { status: 'unavailable', retryAfterSeconds: this.backlog.retryAfterSeconds(), reason };
  }

  private fail(items: Item[], reason: string, error: unknown): void {
    this.deps.logger.warn({ err: error, entries: items.length }, `ledger intake: ${reason}`);
    ledgerIntakeEntries.inc({ outcome: 'unavailable' }, items.length);
    for (const item of items) item.resolve(this.unavailable(reason));
  }

  /** Stops taking entries; waits for micro-batches in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (let shard = 0; shard < this.queues.length; shard++) this.drain(shard);
    while (this.inFlight.some((count) => count > 0)) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.backlog.stop();
  }
}

const intakes = new WeakMap<object, LedgerIntake>();

/** The intake of an API app (one per ApiDeps): the ledger routes and a /ready check share it. */
export function ledgerIntakeFor(deps: { config: Config; temporal: Client; stores: { postgres: PostgresStore }; logger: Logger }): LedgerIntake {
  let intake = intakes.get(deps);
  if (!intake) {
    intake = new LedgerIntake({ config: deps.config, temporal: deps.temporal, postgres: deps.stores.postgres, logger: deps.logger });
    intakes.set(deps, intake);
  }
  return intake;
}

/** Closes the app's intake (on app close); a later app on the same deps gets a fresh one. */
export async function closeLedgerIntake(deps: object): Promise<void> {
  const intake = intakes.get(deps);
  intakes.delete(deps);
  await intake?.close();
}

/** The `/ready` check of the ledger (StoreHealth shape, name `ledger-backlog`): down when a shard is over its bound or stalled. */
export function ledgerReadyCheck(deps: Parameters<typeof ledgerIntakeFor>[0]) {
  return ledgerBacklogHealth(ledgerIntakeFor(deps).backlog, deps.config.LEDGER_MAX_PENDING_PER_SHARD);
}
