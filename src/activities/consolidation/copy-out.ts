/**
 * `COPY (query) TO STDOUT (FORMAT binary)` through node-pg's documented extension point (a "submittable"
 * query object, as pg-copy-streams uses), decoding PostgreSQL's binary tuples straight into JS values.
 *
 * Why not rows through SELECT/FETCH: node-pg decodes every field of every row into a string that then has to
 * be parsed again (bigint cents, micro-second timestamps); for a day of a million entries that was most of
 * the export's CPU. The binary format gives int8 as 8 bytes, a uuid as its 16 bytes, a timestamptz as
 * microseconds: read with one call each, exact.
 */
import type { PoolClient } from 'pg';

/** Binary decoders of the column types the export reads (PostgreSQL's `*send` formats). */
export type BinaryType = 'uuid' | 'text' | 'int8' | 'int4' | 'date' | 'timestamptz' | 'jsonb';

const PG_EPOCH_DAYS = 10_957; // 2000-01-01 in days since 1970-01-01
const PG_EPOCH_MICROS = 946_684_800_000_000n; // 2000-01-01 in µs since 1970-01-01

/** Decodes one non-null field; `data` is a view of the connection's buffer, so what is kept is copied. */
export function decodeBinary(type: BinaryType, data: Buffer): unknown {
  switch (type) {
    case 'uuid':
      return Uint8Array.prototype.slice.call(data);
    case 'text':
      return data.toString('utf8');
    case 'int8':
      return data.readBigInt64BE(0);
    case 'int4':
      return data.readInt32BE(0);
    case 'date':
      // Days since 1970-01-01 (what a Parquet DATE holds).
      return data.readInt32BE(0) + PG_EPOCH_DAYS;
    case 'timestamptz':
      // Microseconds since 1970-01-01 UTC (what a Parquet TIMESTAMP(MICROS, UTC) holds).
      return data.readBigInt64BE(0) + PG_EPOCH_MICROS;
    case 'jsonb':
      // A version byte (1), then the JSON text.
      return JSON.parse(data.toString('utf8', 1));
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Parses the binary COPY stream (header, tuples, trailer) across chunk boundaries. */
export class BinaryCopyParser {
  private pending: Buffer = Buffer.alloc(0);
  private headerDone = false;
  ended = false;

  constructor(
    private readonly types: BinaryType[],
    private readonly onRow: (values: unknown[]) => void,
  ) {}

  push(chunk: Buffer): void {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    if (!this.headerDone) {
      if (data.length < 19) {
        this.pending = Buffer.from(data);
        return;
      }
      if (!data.subarray(0, 11).equals(SIGNATURE)) throw new Error('COPY binary: bad signature');
      offset = 19 + data.readInt32BE(15);
      this.headerDone = true;
    }
    const fields = this.types.length;
    for (;;) {
      if (this.ended || data.length - offset < 2) break;
      const count = data.readInt16BE(offset);
      if (count === -1) {
        this.ended = true;
        offset += 2;
        break;
      }
      if (count !== fields) throw new Error(`COPY binary: ${count} fields in a row, expected ${fields}`);
      // Is the whole tuple here?
      let cursor = offset + 2;
      let complete = true;
      for (let field = 0; field < fields; field++) {
        if (data.length - cursor < 4) {
          complete = false;
          break;
        }
        const length = data.readInt32BE(cursor);
        cursor += 4 + Math.max(length, 0);
        if (cursor > data.length) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      const values: unknown[] = new Array(fields);
      cursor = offset + 2;
      for (let field = 0; field < fields; field++) {
        const length = data.readInt32BE(cursor);
        cursor += 4;
        if (length < 0) {
          values[field] = null;
        } else {
          values[field] = decodeBinary(this.types[field]!, data.subarray(cursor, cursor + length));
          cursor += length;
        }
      }
      offset = cursor;
      this.onRow(values);
    }
    // Keep the incomplete rest (copied: the connection reuses its buffer).
    this.pending = offset < data.length ? Buffer.from(data.subarray(offset)) : Buffer.alloc(0);
  }
}

/**
 * Back-pressure for a COPY: pausing stops reading the connection's socket, so the server waits (TCP flow
 * control) instead of rows piling up in memory while the consumer catches up. Always resumed when the COPY
 * ends, so the connection goes back to the pool flowing.
 */
export class CopyFlow {
  private stream: { pause(): void; resume(): void } | undefined;
  private paused = false;

  attach(stream: { pause(): void; resume(): void }): void {
    this.stream = stream;
    if (this.paused) stream.pause();
  }

  detach(): void {
    if (this.paused) this.stream?.resume();
    this.stream = undefined;
    this.paused = false;
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.stream?.resume();
  }
}

/** The submittable: node-pg calls these as the server's messages arrive. */
class CopyOutQuery {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private rows = 0;
  private failure: Error | undefined;

  constructor(
    private readonly text: string,
    private readonly parser: BinaryCopyParser,
    private readonly flow: CopyFlow | undefined,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: { query(text: string): void; stream?: { pause(): void; resume(): void } }): void {
    if (this.flow && connection.stream) this.flow.attach(connection.stream);
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (this.failure) return;
    try {
      this.parser.push(message.chunk);
    } catch (error) {
      // The server keeps sending until the COPY ends; the failure is reported then.
      this.failure = error as Error;
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rows = Number(/^COPY (\d+)/.exec(message.text ?? '')?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    this.flow?.detach();
    if (this.failure) this.reject(this.failure);
    else if (!this.parser.ended) this.reject(new Error('COPY binary: the stream ended without its trailer'));
    else this.resolve(this.rows);
  }

  handleError(error: Error): void {
    this.flow?.detach();
    this.reject(error);
  }

  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('fluxo: this query only copies out');
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

/**
 * Runs `COPY (<select>) TO STDOUT (FORMAT binary)` on `client` and calls `onRow` with each row's decoded
 * values, in the query's order. Resolves with the row count once the server has finished. `flow` lets the
 * consumer pause the stream while it catches up.
 */
export function copyOutRows(
  client: PoolClient,
  select: string,
  types: BinaryType[],
  onRow: (values: unknown[]) => void,
  flow?: CopyFlow,
): Promise<number> {
  const query = new CopyOutQuery(`COPY (${select}) TO STDOUT (FORMAT binary)`, new BinaryCopyParser(types, onRow), flow);
  (client as unknown as { query(submittable: CopyOutQuery): void }).query(query);
  return query.done;
}
