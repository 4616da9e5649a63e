/**
 * Moving bytes with a hash and a stall guard. A whole-transfer deadline would fail big objects on slow
 * links, so transfers are bounded by *idleness*: no bytes moving for `idleMs` (source stalled, server not
 * answering, final response never coming) aborts the pipeline with a clear error.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectStorageError } from './errors';

export interface Measured {
  size: number;
  /** Lower-case hex SHA-256 of the bytes that went through. */
  sha256: string;
}

export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export const toReadable = (body: Buffer | Readable): Readable => (Buffer.isBuffer(body) ? Readable.from([body]) : body);

/**
 * Pipes `source` into `sink`, hashing and counting on the way; resolves once `sink` has finished (for an
 * upload: once the server confirmed). Rejects with `<what> stalled: no progress for <ms> ms` on a stall.
 */
export async function transfer(source: Readable, sink: Writable, idleMs: number, what: string): Promise<Measured> {
  const hash = createHash('sha256');
  let size = 0;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), idleMs);
  };
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      arm();
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  arm();
  try {
    await pipeline(source, meter, sink, { signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) {
      throw new ObjectStorageError(`${what} stalled: no progress for ${idleMs} ms`, { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { size, sha256: hash.digest('hex') };
}

/** Reads a whole stream into memory, with the same stall guard. */
export async function collect(source: Readable, idleMs: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await transfer(source, sink, idleMs, what);
  return Buffer.concat(chunks);
}
