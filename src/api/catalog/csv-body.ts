/**
 * CSV uploads arrive as the raw request body (`Content-Type: text/csv`) or as the `file` field of a form
 * (`multipart/form-data`, see multipart.ts). Either way the route gets the request stream itself, so a file
 * of any size goes from the socket to object storage without being held in memory. The parsers are
 * registered in the catalog routes' own scope; nothing else sees them.
 */
import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../problem';
import { boundaryOf, multipartFile, MULTIPART_MEDIA_TYPE } from './multipart';

export const CSV_MEDIA_TYPES = ['text/csv', 'application/csv'];

export function acceptCsvStreams(scope: FastifyInstance): void {
  scope.addContentTypeParser([...CSV_MEDIA_TYPES, MULTIPART_MEDIA_TYPE], (_request, payload, done) => done(null, payload));
}

export const isCsvStream = (body: unknown): body is Readable =>
  typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';

/**
 * The CSV bytes of an upload request: the body itself, or the `file` part of a form; undefined when the
 * body is not an upload (JSON, or none). Throws a 400 problem when a form has no boundary.
 */
export function csvUpload(request: FastifyRequest): Readable | undefined {
  const body = request.body;
  if (!isCsvStream(body)) return undefined;
  const type = request.headers['content-type'] ?? '';
  return type.toLowerCase().startsWith(MULTIPART_MEDIA_TYPE) ? multipartFile(body, boundaryOf(type)) : body;
}

export const payloadTooLarge = (limit: number) =>
  new ProblemError(413, 'payload-too-large', 'Payload too large', `the CSV is larger than ${limit} bytes (CATALOG_UPLOAD_MAX_BYTES)`);

/** Passes bytes through until `limit`, then fails the stream with a 413 problem (the upload is then not stored). */
export function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(payloadTooLarge(limit));
      else callback(null, chunk);
    },
  });
}

/**
 * `upload` limited to `limit` bytes, for a storage put to read. Unlike a bare pipe(), an error of the upload
 * itself (a malformed form) fails the limited stream too, so the put fails instead of waiting forever.
 */
export function limitedUpload(upload: Readable, limit: number): Transform {
  const limited = limitBytes(limit);
  upload.once('error', (error) => limited.destroy(error));
  // Bytes flow in as soon as this is piped, while the storage is still preparing its put: an error raised
  // before the put reads (a small limit, a short malformed form) must not be an unhandled 'error' event.
  // Nothing is lost by the no-op listener: the put's pipeline sees the stream errored and fails with it.
  limited.on('error', () => undefined);
  return upload.pipe(limited);
}
