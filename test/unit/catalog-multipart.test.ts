/**
 * The streaming multipart/form-data parser of CSV uploads (src/api/catalog/multipart.ts): the file part's bytes
 * come out exactly, however the body is cut into chunks; every malformed or unexpected form is a 400 problem
 * naming the field.
 */
import { Readable } from 'node:stream';
import { boundaryOf, multipartFile } from '../../src/api/catalog/multipart';
import { ProblemError } from '../../src/api/problem';

const BOUNDARY = '----fluxoBoundary7MA4YWxk';

/** A form body: each part is [headers, content]. */
function form(parts: [string, string | Buffer][], boundary = BOUNDARY, epilogue = '\r\n'): Buffer {
  const pieces: Buffer[] = [Buffer.from('preamble, ignored\r\n')];
  for (const [headers, content] of parts) {
    pieces.push(Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.isBuffer(content) ? content : Buffer.from(content), Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--${epilogue}`));
  return Buffer.concat(pieces);
}

const fileHeaders = 'Content-Disposition: form-data; name="file"; filename="catalog.csv"\r\nContent-Type: text/csv';

/** Feeds `body` in chunks of `size` bytes and collects the file's bytes (or the error). */
async function parse(body: Buffer, size: number, boundary = BOUNDARY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) chunks.push(body.subarray(at, at + size));
  const out: Buffer[] = [];
  for await (const chunk of multipartFile(Readable.from(chunks), boundary)) out.push(chunk as Buffer);
  return Buffer.concat(out);
}

async function problemOf(body: Buffer, size = 7): Promise<{ status: number; names: string[] }> {
  const error = await parse(body, size).then(() => undefined, (failure: unknown) => failure);
  expect(error).toBeInstanceOf(ProblemError);
  const problem = error as ProblemError;
  return { status: problem.status, names: (problem.extensions.invalid_params ?? []).map((param) => param.name) };
}

test('the file part comes out byte for byte, whatever the chunk sizes', async () => {
  // Line breaks, a dash run and most of a boundary inside the content must not end it.
  const csv = Buffer.from(`sku,name,price,category\r\nA1,"two\r\nlines",1,c\r\n--${BOUNDARY.slice(0, -1)}x,é,2,c\r\n\r\n--\r\n`);
  const body = form([[fileHeaders, csv]]);
  for (const size of [1, 2, 3, 5, 17, 64, body.length]) {
    expect((await parse(body, size)).equals(csv)).toBe(true);
  }
});

test('an empty file is an empty stream, and a large one streams through', async () => {
  expect((await parse(form([[fileHeaders, '']]), 4)).length).toBe(0);
  const big = Buffer.alloc(3 * 1024 * 1024, 'a,b,1,c\r\n');
  expect((await parse(form([[fileHeaders, big]]), 65536)).equals(big)).toBe(true);
});

test('the boundary comes from the content type, quoted or not', () => {
  expect(boundaryOf(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
  expect(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
  const error = (() => {
    try {
      boundaryOf('multipart/form-data');
    } catch (failure) {
      return failure as ProblemError;
    }
  })();
  expect(error).toMatchObject({ status: 400, extensions: { invalid_params: [{ name: 'header.content-type', reason: 'no boundary=… parameter' }] } });
});

test('another field, a second file, no file, or a body cut short is a 400 naming the field', async () => {
  const other = form([['Content-Disposition: form-data; name="colour"', 'red'], [fileHeaders, 'sku\r\n']]);
  expect(await problemOf(other)).toEqual({ status: 400, names: ['body.colour'] });

  const twice = form([[fileHeaders, 'a'], [fileHeaders, 'b']]);
  expect(await problemOf(twice)).toEqual({ status: 400, names: ['body.file'] });

  const none = Buffer.from(`--${BOUNDARY}--\r\n`);
  expect(await problemOf(none)).toEqual({ status: 400, names: ['body.file'] });

  const nameless = form([['Content-Type: text/csv', 'a']]);
  expect(await problemOf(nameless)).toEqual({ status: 400, names: ['body'] });

  const whole = form([[fileHeaders, 'sku,name,price,category\r\n']]);
  expect(await problemOf(whole.subarray(0, whole.length - 10))).toEqual({ status: 400, names: ['body'] });
  expect(await problemOf(Buffer.from('not a form at all'))).toEqual({ status: 400, names: ['body'] });
});
