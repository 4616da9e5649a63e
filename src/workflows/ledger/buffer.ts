/**
 * `ledger-buffer-<n>`: the durable buffer of one ledger shard. The API signals accepted entries in
 * (Temporal's history is the write-ahead log: once the signal call returned, the entry survives any crash);
 * this workflow de-duplicates them by request_id and flushes them to PostgreSQL in batches: when
 * `flushSize` entries wait, when the oldest has waited `flushIntervalMs`, or when the `flush` update asks.
 * Before its history grows large it drains, waits for running handlers and continues-as-new, carrying the
 * entries still waiting. Signals that arrive meanwhile are not lost: Temporal refuses a continue-as-new
 * while unprocessed signals exist and replays the task with them.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createLedgerActivities } from '../../activities/ledger';
import {
  ledgerEntriesSignal,
  ledgerFlushUpdate,
  ledgerHeldQuery,
  ledgerRetireUpdate,
  ledgerStatsQuery,
  type LedgerBufferInput,
  type LedgerLastFlush,
} from '../../domain/ledger/buffer';
import { isCalendarDate } from '../../domain/ledger/data-ref';
import type { BufferedEntry } from '../../domain/ledger/buffered-entry';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { BufferState } from './buffer-state';

const { flushLedgerBatch } = proxyActivities<ReturnType<typeof createLedgerActivities>>({
  // One multi-row INSERT; 20 s is generous, and bounds how long a batch waits after its worker died.
  startToCloseTimeout: '20 seconds',
  // Unlimited attempts: an accepted entry must reach PostgreSQL; a failing flush shows in the Web UI.
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export async function ledgerBufferWorkflow(input: LedgerBufferInput): Promise<void> {
  const { shard, shards, settings } = input;
  const state = new BufferState(input.carried);
  let lastFlush: LedgerLastFlush | undefined = input.carried?.lastFlush;
  /** Every entry that arrived up to this sequence number is due (interval elapsed or flush requested). */
  let drainThroughSeq = 0;
  let activeFlushes = 0;
  let flushTimerRunning = false;
  let batchNumber = 0;
  let updatesWaiting = 0;
  let retiring = false;
  let searchedDataRef = input.carried?.latestDataRef;

  const describe = () => {
    const last = lastFlush
      ? `last flush ${lastFlush.at}: ${lastFlush.inserted}/${lastFlush.received} rows in ${lastFlush.durationMs} ms (${lastFlush.batchId})`
      : 'no flush yet';
    setCurrentDetails(
      `**shard ${shard} of ${shards}** · pending ${state.pendingCount} · in flight ${state.inFlightCount} (${activeFlushes} flushes)\n\n` +
        `${last}\n\npersisted ${state.totals.persisted} entries in ${state.totals.batches} batches · run ${state.totals.runs}`,
    );
  };

  /** Starts the interval timer while entries wait; when it fires, everything that arrived by then is due. */
  const armFlushTimer = () => {
    if (flushTimerRunning || state.pendingCount === 0) return;
    flushTimerRunning = true;
    void sleep(settings.flushIntervalMs).then(() => {
      flushTimerRunning = false;
      drainThroughSeq = Math.max(drainThroughSeq, state.lastSeq);
      armFlushTimer();
    });
  };

  setHandler(ledgerEntriesSignal, ({ entries }) => {
    state.add(entries);
    // Where the shard is in time, for the Web UI: the newest data_ref it received. A shard holds many
    // accounts, so AccountId is not set here (see docs/ledger.md); this changes about once a day.
    if (state.latestDataRef && state.latestDataRef !== searchedDataRef) {
      searchedDataRef = state.latestDataRef;
      upsertSearchAttributes([{ key: searchAttributeKeys.DataRef, value: searchedDataRef }]);
    }
    armFlushTimer();
    describe();
  });

  const stats = () => {
    const info = workflowInfo();
    return {
      shard,
      pending: state.pendingCount,
      inFlight: state.inFlightCount,
      oldestAcceptedAt: state.oldestAcceptedAt(),
      totals: { ...state.totals },
      lastFlush,
      historyLength: info.historyLength,
      historySize: info.historySize,
    };
  };
  setHandler(ledgerStatsQuery, stats);

  setHandler(ledgerHeldQuery, (requestIds) => state.held(requestIds));

  setHandler(
    ledgerFlushUpdate,
    async ({ dataRef }) => {
      // Everything received so far is flushed (a superset of "data_ref ≤ dataRef", and just as cheap).
      const through = state.lastSeq;
      drainThroughSeq = Math.max(drainThroughSeq, through);
      updatesWaiting += 1;
      try {
        await condition(() => (state.oldestOutstandingSeq() ?? Number.POSITIVE_INFINITY) > through);
      } finally {
        updatesWaiting -= 1;
      }
      return { shard, dataRef, persistedTotal: state.totals.persisted };
    },
    {
      validator: ({ dataRef }) => {
        if (!isCalendarDate(dataRef)) throw new Error(`dataRef must be a date written YYYY-MM-DD, got ${JSON.stringify(dataRef)}`);
      },
    },
  );

  setHandler(ledgerRetireUpdate, async () => {
    retiring = true;
    updatesWaiting += 1;
    try {
      await condition(() => state.pendingCount === 0 && state.inFlightCount === 0);
    } finally {
      updatesWaiting -= 1;
    }
    return stats();
  });

  const launchFlush = () => {
    const batch = state.take(settings.flushSize, settings.flushMaxBytes);
    if (batch.length === 0) return;
    activeFlushes += 1;
    batchNumber += 1;
    const { workflowId, runId } = workflowInfo();
    const batchId = `${workflowId}:${runId}:${batchNumber}`;
    const started = Date.now();
    describe();
    void flushLedgerBatch({ batchId, shard, entries: batch })
      .then((record) => {
        state.persisted(batch, record);
        lastFlush = { batchId, inserted: record.inserted, received: record.received, at: new Date().toISOString(), durationMs: Date.now() - started };
      })
      .catch((error: unknown) => {
        // Only cancellation or a non-retryable failure gets here; the entries wait for the next flush.
        log.error('ledger flush failed; its entries wait again', { batchId, error: String(error) });
        requeued(batch);
      })
      .finally(() => {
        activeFlushes -= 1;
        describe();
      });
  };
  const requeued = (batch: BufferedEntry[]) => state.requeue(batch);

  const flushDue = () =>
    state.pendingCount >= settings.flushSize ||
    (state.pendingCount > 0 && (retiring || (state.oldestPendingSeq() ?? Infinity) <= drainThroughSeq));
  const historyFull = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= settings.historyEventsLimit || info.historySize >= settings.historyBytesLimit;
  };
  const carrySmall = () => state.pendingCount <= settings.carryMaxEntries && state.pendingBytes <= settings.carryMaxBytes;
  // Once the history is full, flush only what is too big to carry (or what a waiting `flush` update needs),
  // then continue-as-new as soon as no flush is in flight: under steady load something is always due.
  const shouldFlush = () =>
    activeFlushes < settings.flushConcurrency &&
    state.pendingCount > 0 &&
    (historyFull() ? !carrySmall() || updatesWaiting > 0 : flushDue());
  const readyToContinue = () => historyFull() && activeFlushes === 0 && carrySmall() && allHandlersFinished();
  const retired = () => retiring && state.pendingCount === 0 && activeFlushes === 0 && allHandlersFinished();

  armFlushTimer();
  describe();
  for (;;) {
    await condition(() => retired() || readyToContinue() || shouldFlush());
    if (retired()) {
      setCurrentDetails(`**shard ${shard} of ${shards}** retired after persisting ${state.totals.persisted} entries`);
      return;
    }
    if (readyToContinue()) break;
    launchFlush();
  }
  await continueAsNew<typeof ledgerBufferWorkflow>({ ...input, carried: { ...state.carry(), lastFlush } });
}
