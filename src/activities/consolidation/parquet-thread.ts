/**
 * hyparquet-writer on a worker thread. Encoding a part is seconds of synchronous CPU; on the worker's main
 * thread it would stall the event loop that completes workflow tasks, starts the other activities and sends
 * heartbeats (measured: workflow tasks of 12 s, past their 10 s timeout, while a day of 1M entries encoded).
 *
 * One thread per process, started on first use, keeping the process alive only while it has work; requests
 * are served in order. The thread's code is plain JavaScript given inline, so it runs the same under tsx, Jest
 * and compiled builds (a .ts file would need the loader of whoever started the process).
 */
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { ColumnSource, SchemaElement } from 'hyparquet-writer';

export interface ParquetWriteRequest {
  columnData: ColumnSource[];
  schema: SchemaElement[];
  rowGroupSize: number;
  createdBy: string;
}

const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ready = import(workerData.writerUrl);
parentPort.on('message', async ({ id, request }) => {
  try {
    const { parquetWriteBuffer } = await ready;
    const buffer = parquetWriteBuffer(request);
    parentPort.postMessage({ id, buffer }, [buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.stack) || error) });
  }
});
`;

interface Pending {
  resolve(buffer: Buffer): void;
  reject(error: Error): void;
}

interface EncoderThread {
  worker: Worker;
  /** Requests sent to this thread and not answered yet. */
  pending: Map<number, Pending>;
}

let thread: EncoderThread | undefined;
let nextId = 0;

function encoderThread(): EncoderThread {
  if (thread) return thread;
  const pending = new Map<number, Pending>();
  const started = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { writerUrl: pathToFileURL(require.resolve('hyparquet-writer')).href },
  });
  started.unref();
  started.on('message', (message: { id: number; buffer?: ArrayBuffer; error?: string }) => {
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    if (pending.size === 0) started.unref();
    if (message.error !== undefined) request.reject(new Error(`Parquet encoding failed: ${message.error}`));
    else request.resolve(Buffer.from(message.buffer!));
  });
  // A crashed thread fails what it held; the next request starts a new one.
  const current: EncoderThread = { worker: started, pending };
  const fail = (error: Error) => {
    if (thread === current) thread = undefined;
    for (const request of pending.values()) request.reject(error);
    pending.clear();
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the Parquet encoder thread exited (code ${code})`)));
  thread = current;
  return current;
}

/** Encodes one Parquet file on the encoder thread. The request's arrays are copied to it (structured clone). */
export function encodeOnThread(request: ParquetWriteRequest): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const id = nextId++;
    const target = encoderThread();
    target.pending.set(id, { resolve, reject });
    // Referenced while it has work, so a process awaiting a part does not exit under it.
    target.worker.ref();
    try {
      target.worker.postMessage({ id, request });
    } catch (error) {
      target.pending.delete(id);
      reject(error as Error);
    }
  });
}
