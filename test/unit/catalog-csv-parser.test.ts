/** The streaming RFC 4180 parser of catalog imports: every quoting rule, and any split of the input into chunks. */
import { CsvParser, parseCsv, type CsvRecord } from '../../src/domain/catalog/csv-parser';

const fields = (records: CsvRecord[]) => records.map((record) => record.fields);

/** Feeds `text` in pieces of `size` characters: the result must not depend on where chunks end. */
function parseInChunks(text: string, size: number): CsvRecord[] {
  const parser = new CsvParser();
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...parser.push(text.slice(i, i + size)));
  out.push(...parser.end());
  return out;
}

test('plain records, with and without a trailing newline', () => {
  expect(fields(parseCsv('a,b,c\n1,2,3\n'))).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
  expect(fields(parseCsv('a,b,c\n1,2,3'))).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
});

test('a UTF-8 byte-order mark at the start is not part of the first field', () => {
  expect(fields(parseCsv('\uFEFFsku,name\nA1,Café\n'))).toEqual([['sku', 'name'], ['A1', 'Café']]);
});

test('CRLF, LF and lone CR all end a record; CRLF counts as one line', () => {
  const records = parseCsv('a,b\r\n1,2\r\n3,4\n5,6\r7,8\r\n');
  expect(fields(records)).toEqual([['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6'], ['7', '8']]);
  expect(records.map((record) => record.line)).toEqual([1, 2, 3, 4, 5]);
});

test('quoted fields keep commas, line breaks and escaped quotes', () => {
  const records = parseCsv('sku,name\r\nA1,"Shirt, blue"\r\nA2,"two\r\nlines"\r\nA3,"say ""hi"""\r\nA4,""\r\n');
  expect(fields(records)).toEqual([['sku', 'name'], ['A1', 'Shirt, blue'], ['A2', 'two\r\nlines'], ['A3', 'say "hi"'], ['A4', '']]);
  // The record after a quoted line break starts on a later physical line.
  expect(records.map((record) => record.line)).toEqual([1, 2, 3, 5, 6]);
  expect(records.every((record) => record.error === undefined)).toBe(true);
});

test('empty fields and empty trailing fields are kept', () => {
  expect(fields(parseCsv(',a,,\n'))).toEqual([['', 'a', '', '']]);
});

test('blank lines between records are skipped; an empty input has no records', () => {
  expect(fields(parseCsv('a,b\n\n1,2\r\n\r\n'))).toEqual([['a', 'b'], ['1', '2']]);
  expect(parseCsv('')).toEqual([]);
  expect(parseCsv('\n\r\n')).toEqual([]);
  expect(parseCsv('\uFEFF')).toEqual([]);
});

test('malformed quoting flags the record and the parse goes on with the next one', () => {
  const records = parseCsv('a,b\nx"y,2\n"ok"z,3\n4,5\n');
  expect(records[1]).toMatchObject({ fields: ['x"y', '2'], error: expect.stringContaining('quote inside an unquoted field') });
  expect(records[2]).toMatchObject({ fields: ['okz', '3'], error: expect.stringContaining('after a closing quote') });
  expect(records[3]).toEqual({ fields: ['4', '5'], line: 4 });
});

test('a quote left open at the end of the file is reported on its record', () => {
  const records = parseCsv('a,b\n1,"never closed\n2,3\n');
  expect(records).toHaveLength(2);
  expect(records[1]!.error).toMatch(/not closed before the end of the file/);
});

test('the same records whatever the chunk boundaries (every split of a tricky input)', () => {
  const text = '\uFEFFsku,name,price\r\nA1,"a ""quoted"", text",1.00\r\nA2,"multi\r\nline",2\r\n\r\nA3,plain,3\rA4,x,4';
  const whole = parseCsv(text);
  expect(whole).toHaveLength(5);
  for (let size = 1; size <= text.length; size++) expect(parseInChunks(text, size)).toEqual(whole);
});
