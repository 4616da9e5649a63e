/**
 * `COPY ... FROM STDIN` over node-postgres, fed chunk by chunk with backpressure. No COPY package is installed
 * (pg-copy-streams), and batched INSERTs load rows several times slower than COPY, which is what a
 * million-row import needs. This uses node-postgres' documented extension point for custom queries (an
 * object with `submit` and the `handle*` callbacks, as pg-cursor and pg-copy-streams do) and its
 * connection's CopyData / CopyDone / CopyFail messages.
 *
 *   const copy = await startCopy(client, 'COPY t (a, b) FROM STDIN');
 *   await copy.write('1\tx\n');  ...  const rows = await copy.end();   // or: await copy.abort(reason)
 */
import type { PoolClient } from 'pg';

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}

class CopyFromQuery {
  private connection: PgConnection | undefined;
  private error: Error | undefined;
  private rowCount = 0;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;
  private resolveDone!: (rows: number) => void;
  private rejectDone!: (error: Error) => void;
  readonly ready = new Promise<void>((resolve, reject) => {
    this.resolveReady = resolve;
    this.rejectReady = reject;
  });
  readonly done = new Promise<number>((resolve, reject) => {
    this.resolveDone = resolve;
    this.rejectDone = reject;
  });

  constructor(readonly text: string) {
    // Both are awaited by CopyWriter; never leave them as unhandled rejections meanwhile.
    this.ready.catch(() => undefined);
    this.done.catch(() => undefined);
  }

  /** Called by the client when it is this query's turn. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    connection.query(this.text);
  }

  handleCopyInResponse(): void {
    this.resolveReady();
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)/.exec(message?.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  /** The client forgets the query on an error (no handleReadyForQuery follows), so this ends it. */
  handleError(error: Error): void {
    this.error = error;
    this.rejectReady(error);
    this.rejectDone(error);
  }

  handleReadyForQuery(): void {
    if (this.error) this.rejectDone(this.error);
    else this.resolveDone(this.rowCount);
  }

  // Not expected during COPY FROM; present because the client may call them.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  failure(): Error | undefined {
    return this.error;
  }

  connectionOf(): PgConnection {
    return this.connection!;
  }
}

export interface CopyWriter {
  /** Sends COPY text; waits when the socket's buffer is full. Rejects once the server refused the COPY. */
  write(text: string): Promise<void>;
  /** Completes the COPY; resolves with the rows the server stored. */
  end(): Promise<number>;
  /** Abandons the COPY (nothing of it is stored); the client is usable afterwards. */
  abort(reason: string): Promise<void>;
}

export async function startCopy(client: PoolClient, sql: string): Promise<CopyWriter> {
  const query = new CopyFromQuery(sql);
  (client as unknown as { query(submittable: CopyFromQuery): void }).query(query);
  await query.ready;
  const connection = query.connectionOf();
  const drain = () => new Promise<void>((resolve) => connection.stream.once('drain', () => resolve()));
  return {
    async write(text) {
      const error = query.failure();
      if (error) throw error;
      connection.sendCopyFromChunk(Buffer.from(text, 'utf8'));
      if (connection.stream.writableNeedDrain) await drain();
    },
    async end() {
      connection.endCopyFrom();
      return query.done;
    },
    async abort(reason) {
      if (!query.failure()) connection.sendCopyFail(reason.slice(0, 200));
      await query.done.catch(() => undefined);
    },
  };
}

/** A value in COPY's text format: backslash, tab and line breaks escaped. */
export function copyText(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 92 || code === 9 || code === 10 || code === 13) {
      return value.replace(/[\\\t\n\r]/g, (char) => (char === '\\' ? '\\\\' : char === '\t' ? '\\t' : char === '\n' ? '\\n' : '\\r'));
    }
  }
  return value;
}
