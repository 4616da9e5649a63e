/**
 * `COPY (query) TO STDOUT (FORMAT csv)` straight into files of a fixed number of rows, through node-pg's
 * documented extension point (a "submittable" query object, as pg-copy-streams uses). The bytes are not parsed
 * here: the Parquet writer (DuckDB, ./parquet-writer.ts) reads each file with its own CSV reader. Rows are counted
 * by message: in a COPY out, each CopyData message from the server is exactly one row (protocol documentation),
 * so a file is cut after its last row without looking at the CSV (whose quoted fields may hold newlines).
 * Each file is handed on as soon as it is complete on disk, so its Parquet part is written while the server
 * still prints the next one.
 *
 * Why CSV and a file: DuckDB cannot read PostgreSQL's binary COPY format, and decoding rows in JavaScript to
 * hand them over was most of the old export's CPU. CSV is what PostgreSQL and DuckDB both speak exactly
 * (NULL is an empty unquoted field, an empty string is `""`, quotes doubled, newlines inside quotes); the
 * session is put in UTC and ISO dates so timestamps and dates read back to the microsecond and the day.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
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

/** Bytes gathered before a write to a file; a file's buffer holds up to 4 of them before the COPY pauses. */
const BLOCK_BYTES = 1 << 20;

/** A complete file of rows: `index` counts from 0, in the COPY's order. */
export interface CsvPart {
  index: number;
  path: string;
  rows: number;
}

export interface CsvPartsTarget {
  rowsPerPart: number;
  /** The path of part `index`. */
  pathOf(index: number): string;
  /**
   * Called once each part's file is complete and closed (the last one possibly short); files may close out of
   * order, `index` says each one's place. Every part is handed on before the COPY resolves.
   */
  onPart(part: CsvPart): void;
}

/**
 * Rows into files of `rowsPerPart` rows: gathered into blocks (copied, since the connection reuses its buffer)
 * so a file gets a few hundred writes rather than a million, with back-pressure on the COPY while a file's
 * buffer is full.
 */
class CsvPartFiles {
  private file: WriteStream | undefined;
  private index = 0;
  private rows = 0;
  private block = Buffer.allocUnsafe(BLOCK_BYTES);
  private filled = 0;
  private readonly closing: Promise<void>[] = [];
  failure: Error | undefined;

  constructor(
    private readonly target: CsvPartsTarget,
    private readonly flow: CopyFlow,
    private readonly onFailure: (error: Error) => void,
  ) {}

  row(chunk: Buffer): void {
    if (this.filled + chunk.length > this.block.length) this.flush();
    if (chunk.length > this.block.length) this.send(Buffer.from(chunk));
    else {
      chunk.copy(this.block, this.filled);
      this.filled += chunk.length;
    }
    this.rows += 1;
    if (this.rows === this.target.rowsPerPart) this.cut();
  }

  /** Ends the last file (if it has rows) and resolves once every file is closed. */
  async finish(): Promise<void> {
    if (this.rows > 0) this.cut();
    await Promise.all(this.closing);
    if (this.failure) throw this.failure;
  }

  /** Closes every file without handing on the current one (the COPY failed). */
  async abandon(): Promise<void> {
    this.file?.destroy();
    this.file = undefined;
    await Promise.all(this.closing);
  }

  private open(): WriteStream {
    const file = createWriteStream(this.target.pathOf(this.index), { highWaterMark: 4 * BLOCK_BYTES });
    file.on('drain', () => this.flow.resume());
    file.on('error', (error) => {
      this.failure ??= error;
      this.onFailure(error);
    });
    this.closing.push(new Promise<void>((resolve) => file.on('close', resolve)));
    return file;
  }

  private flush(): void {
    if (this.filled === 0) return;
    this.send(this.block.subarray(0, this.filled));
    this.block = Buffer.allocUnsafe(BLOCK_BYTES);
    this.filled = 0;
  }

  private send(bytes: Buffer): void {
    this.file ??= this.open();
    if (!this.file.write(bytes)) this.flow.pause();
  }

  /** The current file is complete: ended, handed on once closed; the next row opens the next file. */
  private cut(): void {
    this.flush();
    const file = this.file!;
    const part: CsvPart = { index: this.index, path: this.target.pathOf(this.index), rows: this.rows };
    // An ended file emits no 'drain': the COPY, if paused for it, resumes when the file is closed.
    file.on('close', () => {
      this.flow.resume();
      if (!this.failure) this.target.onPart(part);
    });
    file.end();
    this.file = undefined;
    this.index += 1;
    this.rows = 0;
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
    private readonly files: CsvPartFiles,
    private readonly flow: CopyFlow,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The files failed: the rest of the COPY is read and dropped (the connection stays usable), then it fails. */
  fail(error: Error): void {
    this.failure ??= error;
    this.flow.resume();
  }

  submit(connection: { query(text: string): void; stream?: { pause(): void; resume(): void } }): void {
    if (connection.stream) this.flow.attach(connection.stream);
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (!this.failure) this.files.row(message.chunk);
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rows = Number(/^COPY (\d+)/.exec(message.text ?? '')?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    this.flow.detach();
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
 * rows to files of `target.rowsPerPart` rows, pausing the server while the disk catches up; `target.onPart` gets
 * each file as soon as it is closed. Resolves with the server's row count once every file is complete (no file
 * for no rows).
 */
export async function copyOutToCsvParts(client: PoolClient, select: string, target: CsvPartsTarget): Promise<number> {
  if (!Number.isSafeInteger(target.rowsPerPart) || target.rowsPerPart < 1) throw new Error(`COPY: ${target.rowsPerPart} rows per part`);
  // Exact text for DuckDB: timestamps in UTC with their offset, dates as YYYY-MM-DD (whatever the role's defaults).
  await client.query(`SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'`);
  const flow = new CopyFlow();
  let query: CopyOutQuery | undefined;
  const files = new CsvPartFiles(target, flow, (error) => query?.fail(error));
  query = new CopyOutQuery(`COPY (${select}) TO STDOUT (FORMAT csv)`, files, flow);
  let rows: number;
  try {
    (client as unknown as { query(submittable: CopyOutQuery): void }).query(query);
    rows = await query.done;
  } catch (error) {
    await files.abandon();
    throw error;
  }
  await files.finish();
  return rows;
}
