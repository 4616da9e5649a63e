/**
 * The bookkeeping of one shard's buffer, kept apart from the workflow so it reads (and tests) as plain
 * code: entries waiting (in arrival order), entries being flushed, de-duplication by request_id across
 * both, and the totals shown by the `stats` query. Deterministic: no I/O, no clocks.
 */
import type { LedgerBatchRecord } from '../../domain/ledger/flush-batch';
import type { LedgerBufferInput, LedgerBufferTotals } from '../../domain/ledger/buffer';
import { entryBytes, type BufferedEntry } from '../../domain/ledger/buffered-entry';

interface Held {
  entry: BufferedEntry;
  /** Arrival order within this run. */
  seq: number;
  bytes: number;
}

export class BufferState {
  /** Waiting entries; a Map keeps insertion order, so the first one is the oldest. */
  private pending = new Map<string, Held>();
  /** Entries in flush activities; batches are taken oldest first, so the first one here is the oldest. */
  private inFlight = new Map<string, Held>();
  private bytesPending = 0;
  private seq = 0;
  readonly totals: LedgerBufferTotals;
  latestDataRef: string | undefined;

  constructor(carried: LedgerBufferInput['carried']) {
    this.totals = carried
      ? { ...carried.totals, runs: carried.totals.runs + 1 }
      : { received: 0, duplicates: 0, persisted: 0, batches: 0, persistedCents: '0', runs: 1 };
    this.latestDataRef = carried?.latestDataRef;
    // Carried entries were counted as received by the previous run.
    for (const entry of carried?.pending ?? []) this.hold(entry);
  }

  /** Takes new entries in; returns how many were new (the rest were already here: duplicates). */
  add(entries: BufferedEntry[]): number {
    let added = 0;
    for (const entry of entries) {
      if (this.has(entry.requestId)) {
        this.totals.duplicates += 1;
        continue;
      }
      this.hold(entry);
      this.totals.received += 1;
      added += 1;
      if (!this.latestDataRef || entry.dataRef > this.latestDataRef) this.latestDataRef = entry.dataRef;
    }
    return added;
  }

  private hold(entry: BufferedEntry): void {
    const held = { entry, seq: ++this.seq, bytes: entryBytes(entry) };
    this.pending.set(entry.requestId, held);
    this.bytesPending += held.bytes;
  }

  has(requestId: string): boolean {
    return this.pending.has(requestId) || this.inFlight.has(requestId);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  get pendingBytes(): number {
    return this.bytesPending;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Sequence number of the latest arrival. */
  get lastSeq(): number {
    return this.seq;
  }

  oldestPendingSeq(): number | undefined {
    return first(this.pending)?.seq;
  }

  /** The oldest entry not yet persisted (waiting or being flushed). */
  oldestOutstandingSeq(): number | undefined {
    const candidates = [first(this.pending)?.seq, first(this.inFlight)?.seq].filter((seq) => seq !== undefined);
    return candidates.length ? Math.min(...candidates) : undefined;
  }

  oldestAcceptedAt(): number | undefined {
    const candidates = [first(this.pending)?.entry.acceptedAt, first(this.inFlight)?.entry.acceptedAt].filter((at) => at !== undefined);
    return candidates.length ? Math.min(...candidates) : undefined;
  }

  /** Moves the oldest waiting entries (up to a count and a byte budget) into flight and returns them. */
  take(maxEntries: number, maxBytes: number): BufferedEntry[] {
    const batch: BufferedEntry[] = [];
    let bytes = 0;
    for (const [requestId, held] of this.pending) {
      if (batch.length >= maxEntries || (batch.length > 0 && bytes + held.bytes > maxBytes)) break;
      this.pending.delete(requestId);
      this.bytesPending -= held.bytes;
      this.inFlight.set(requestId, held);
      bytes += held.bytes;
      batch.push(held.entry);
    }
    return batch;
  }

  /** A flush committed: its entries leave the buffer and the totals grow. */
  persisted(batch: BufferedEntry[], record: LedgerBatchRecord): void {
    for (const entry of batch) this.inFlight.delete(entry.requestId);
    this.totals.persisted += record.inserted;
    this.totals.batches += 1;
    this.totals.persistedCents = (BigInt(this.totals.persistedCents) + BigInt(record.amountSumCents)).toString();
  }

  /** A flush gave up (it should not: retries are unlimited): its entries wait again, first in line. */
  requeue(batch: BufferedEntry[]): void {
    const back = new Map<string, Held>();
    for (const entry of batch) {
      const held = this.inFlight.get(entry.requestId);
      if (!held) continue;
      this.inFlight.delete(entry.requestId);
      back.set(entry.requestId, held);
      this.bytesPending += held.bytes;
    }
    this.pending = new Map([...back, ...this.pending]);
  }

  /** Request ids among `requestIds` that this buffer holds. */
  held(requestIds: string[]): string[] {
    return requestIds.filter((requestId) => this.has(requestId));
  }

  /** What continue-as-new hands to the next run: the waiting entries (nothing may be in flight). */
  carry(): NonNullable<LedgerBufferInput['carried']> {
    if (this.inFlight.size > 0) throw new Error('cannot carry a buffer with flushes in flight');
    return {
      pending: [...this.pending.values()].map((held) => held.entry),
      totals: { ...this.totals },
      latestDataRef: this.latestDataRef,
    };
  }
}

function first<V>(map: Map<string, V>): V | undefined {
  for (const value of map.values()) return value;
  return undefined;
}
