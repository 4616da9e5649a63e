/**
 * `COPY (query) TO STDOUT (FORMAT csv)` straight into a file, through node-pg's documented extension point (a
 * "submittable" query object, as pg-copy-streams uses). The bytes are not parsed here: the Parquet writer
 * (DuckDB, ./parquet-writer.ts) reads the file with its own parallel CSV reader.
 *
 * Why CSV and a file: DuckDB cannot read PostgreSQL's binary COPY format, and decoding rows in JavaScript to
 * hand them over was most of the old export's CPU. CSV is what PostgreSQL and DuckDB both speak exactly
 * (NULL is an empty unquoted field, an empty string is `""`, quotes doubled, newlines inside quotes); the
 * session is put in UTC and ISO dates so timestamps and dates read back to the microsecond and the day.
 */
import { createWriteStream } from 'node:fs';
import type { PoolClient } from 'pg';

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

interface Sink {
  /** false: stop sending until `drain`. */
  write(chunk: Buffer): boolean;
}

/** Bytes gathered before a write to the file; the file's buffer holds up to 4 of them before the COPY pauses. */
const BLOCK_BYTES = 1 << 20;

/** The submittable: node-pg calls these as the server's messages arrive. */
class CopyOutQuery {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private rows = 0;
  private failure: Error | undefined;
  private block = Buffer.allocUnsafe(BLOCK_BYTES);
  private filled = 0;

  constructor(
    private readonly text: string,
    private readonly sink: Sink,
    private readonly flow: CopyFlow,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The sink failed: the rest of the COPY is read and dropped (the connection stays usable), then it fails. */
  fail(error: Error): void {
    this.failure ??= error;
    this.flow.resume();
  }

  submit(connection: { query(text: string): void; stream?: { pause(): void; resume(): void } }): void {
    if (connection.stream) this.flow.attach(connection.stream);
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (this.failure) return;
    // One message per row: rows are gathered into blocks (copied, since the connection reuses its buffer)
    // so the file gets a few hundred writes rather than a million.
    const { chunk } = message;
    if (this.filled + chunk.length > this.block.length) this.flush();
    if (chunk.length > this.block.length) {
      this.send(Buffer.from(chunk));
      return;
    }
    chunk.copy(this.block, this.filled);
    this.filled += chunk.length;
  }

  private flush(): void {
    if (this.filled === 0) return;
    this.send(this.block.subarray(0, this.filled));
    this.block = Buffer.allocUnsafe(BLOCK_BYTES);
    this.filled = 0;
  }

  private send(bytes: Buffer): void {
    if (!this.sink.write(bytes)) this.flow.pause();
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rows = Number(/^COPY (\d+)/.exec(message.text ?? '')?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    this.flow.detach();
    if (!this.failure) this.flush();
    if (this.failure) this.reject(this.failure);
    else this.resolve(this.rows);
  }

  handleError(error: Error): void {
    this.flow.detach();
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
 * Runs `COPY (<select>) TO STDOUT (FORMAT csv)` on `client` (inside the caller's transaction) and writes the
 * rows to `path`, pausing the server while the disk catches up. Resolves with the server's row count once the
 * file is complete on disk.
 */
export async function copyOutToCsvFile(client: PoolClient, select: string, path: string): Promise<number> {
  // Exact text for DuckDB: timestamps in UTC with their offset, dates as YYYY-MM-DD (whatever the role's defaults).
  await client.query(`SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'`);
  const file = createWriteStream(path, { highWaterMark: 4 * BLOCK_BYTES });
  const flow = new CopyFlow();
  const query = new CopyOutQuery(`COPY (${select}) TO STDOUT (FORMAT csv)`, file, flow);
  let fileError: Error | undefined;
  const closed = new Promise<void>((resolve) => file.on('close', resolve));
  file.on('drain', () => flow.resume());
  file.on('error', (error) => {
    fileError ??= error;
    query.fail(error);
  });
  try {
    (client as unknown as { query(submittable: CopyOutQuery): void }).query(query);
    const rows = await query.done;
    file.end();
    await closed;
    if (fileError) throw fileError;
    return rows;
  } finally {
    if (!file.closed) {
      file.destroy();
      await closed;
    }
  }
}
