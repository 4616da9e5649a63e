/**
 * A catalog CSV uploaded as a form (`multipart/form-data`, RFC 7578: a browser form, `curl -F file=@catalog.csv`),
 * parsed as it streams: the bytes of the part named `file` come out as they arrive, so a file of any size goes
 * from the socket to object storage without being held in memory. No multipart package is installed
 * (@fastify/multipart is not a dependency) and the catalog needs only this much of the format.
 *
 * The form has exactly one field, `file`. Anything else (another field, a second file, no file, a body that
 * breaks off before its closing boundary) is a 400 problem naming the field; the error surfaces while the
 * upload streams, so the storage put fails and keeps nothing (puts are atomic).
 */
import { Readable } from 'node:stream';
import { badRequest } from '../problem';

export const MULTIPART_MEDIA_TYPE = 'multipart/form-data';
export const FILE_FIELD = 'file';

/** Part headers larger than this are not a catalog upload. */
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');
const DASH_DASH = Buffer.from('--');

const malformed = (reason: string) => badRequest(`the multipart body is malformed: ${reason}`, [{ name: 'body', reason }]);

/** The boundary parameter of a multipart/form-data content type (RFC 2046: 1 to 70 characters, maybe quoted). */
export function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) {
    throw badRequest('a multipart/form-data body needs a boundary parameter in its content type', [
      { name: 'header.content-type', reason: 'no boundary=… parameter' },
    ]);
  }
  return boundary;
}

/** The form field a part belongs to, from its Content-Disposition header. */
function fieldOf(headerBlock: string): string | undefined {
  for (const line of headerBlock.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
    const match = /;\s*name="([^"]*)"/i.exec(line) ?? /;\s*name=([^;\s]+)/i.exec(line);
    return match?.[1];
  }
  return undefined;
}

type State = 'preamble' | 'delimiter' | 'headers' | 'body' | 'done';

/**
 * The content of the form's `file` part, streamed. `source` is read without being destroyed when this stream
 * stops early, so the caller can still drain the request and answer on the same connection.
 */
export function multipartFile(source: Readable, boundary: string): Readable {
  // Every boundary but the first follows a line break; parsing starts with one so the first matches the same way.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  async function* parts(): AsyncGenerator<Buffer> {
    let buffer: Buffer = CRLF;
    let state: State = 'preamble';
    let inFile = false;
    let files = 0;
    for await (const chunk of source.iterator({ destroyOnReturn: false })) {
      // After the closing boundary comes the epilogue (usually a line break): read to the end, ignored.
      if (state === 'done') continue;
      buffer = buffer.length === 0 ? (chunk as Buffer) : Buffer.concat([buffer, chunk as Buffer]);
      for (let progressed = true; progressed && (state as State) !== 'done'; ) {
        progressed = false;
        if (state === 'preamble' || state === 'body') {
          const at = buffer.indexOf(delimiter);
          // Without a whole delimiter, everything but a possible start of one can go.
          const safe = at === -1 ? Math.max(0, buffer.length - delimiter.length + 1) : at;
          if (inFile && safe > 0) yield buffer.subarray(0, safe);
          if (at === -1) {
            buffer = buffer.subarray(safe);
            break;
          }
          buffer = buffer.subarray(at + delimiter.length);
          inFile = false;
          state = 'delimiter';
          progressed = true;
        } else if (state === 'delimiter') {
          if (buffer.length < 2) break;
          if (buffer.subarray(0, 2).equals(DASH_DASH)) {
            state = 'done';
            buffer = Buffer.alloc(0);
            break;
          }
          const end = buffer.indexOf(CRLF);
          if (end === -1) {
            if (buffer.length > 256) throw malformed('a boundary line does not end');
            break;
          }
          // RFC 2046 allows spaces and tabs after a boundary, nothing else.
          if (!/^[ \t]*$/.test(buffer.subarray(0, end).toString('latin1'))) throw malformed('text after a boundary on its line');
          buffer = buffer.subarray(end + CRLF.length);
          state = 'headers';
          progressed = true;
        } else {
          // An empty header block is just the blank line.
          const end = buffer.subarray(0, 2).equals(CRLF) ? 0 : buffer.indexOf(HEADERS_END);
          if (end === -1) {
            if (buffer.length > MAX_HEADER_BYTES) throw malformed(`part headers longer than ${MAX_HEADER_BYTES} bytes`);
            break;
          }
          const field = fieldOf(buffer.subarray(0, end).toString('utf8'));
          if (field !== FILE_FIELD) {
            const name = field ? `body.${field}` : 'body';
            throw badRequest(`the form has one field, "${FILE_FIELD}" (the CSV file); got ${field ? `"${field}"` : 'a part without a name'}`, [
              { name, reason: field ? 'unknown field' : 'a part without a name' },
            ]);
          }
          files += 1;
          if (files > 1) throw badRequest('the form carries more than one file', [{ name: `body.${FILE_FIELD}`, reason: 'more than one file' }]);
          buffer = buffer.subarray(end + (end === 0 ? CRLF.length : HEADERS_END.length));
          inFile = true;
          state = 'body';
          progressed = true;
        }
      }
    }
    if (state !== 'done') throw malformed('the body ends before its closing boundary');
    if (files === 0) throw badRequest(`the form has no "${FILE_FIELD}" field with the CSV`, [{ name: `body.${FILE_FIELD}`, reason: 'required' }]);
  }
  return Readable.from(parts(), { objectMode: false });
}
