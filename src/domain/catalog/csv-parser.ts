/**
 * A streaming CSV parser (RFC 4180): text goes in chunk by chunk, complete records come out, so a file of any
 * size is parsed in the memory of one chunk plus one record. No CSV package is installed, and the import
 * needs only this: comma separator, `"` quoting with `""` escapes, quoted commas and line breaks, CRLF, LF or
 * lone CR line ends, a UTF-8 byte-order mark at the start.
 *
 * Malformed quoting does not stop the parse: the record is returned with `error` set (and its text kept as
 * well as it can be), so the import reports it on its row and carries on with the next record.
 * Blank lines between records are skipped (a trailing newline at the end of the file is not a record).
 */

export interface CsvRecord {
  fields: string[];
  /** Physical line (1-based) where the record starts; a quoted line break makes a record span lines. */
  line: number;
  /** Set when the record's quoting is malformed; its fields are then not to be trusted. */
  error?: string;
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;
const BOM = '\uFEFF';

const enum State {
  /** At the start of a field (after a comma, at the start of a record). */
  FieldStart,
  Unquoted,
  Quoted,
  /** Just saw a quote inside a quoted field: an escaped quote (`""`) or the closing one. */
  QuoteInQuoted,
}

export class CsvParser {
  private state = State.FieldStart;
  private fields: string[] = [];
  private field = '';
  private line = 1;
  private recordLine = 1;
  /** The previous chunk ended with CR: a LF at the start of this one belongs to the same line end. */
  private afterCr = false;
  private started = false;
  private error: string | undefined;
  /** The current record has content (a blank line has none and is skipped). */
  private dirty = false;

  /** Parses `text` and returns the records it completed; the rest waits for the next chunk or end(). */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (text.startsWith(BOM)) i = 1;
    }
    const length = text.length;
    while (i < length) {
      const code = text.charCodeAt(i);
      if (this.afterCr) {
        this.afterCr = false;
        if (code === LF) {
          i += 1;
          continue;
        }
      }
      switch (this.state) {
        case State.FieldStart: {
          if (code === QUOTE) {
            this.state = State.Quoted;
            this.dirty = true;
            i += 1;
          } else if (code === COMMA) {
            this.fields.push(this.field);
            this.field = '';
            this.dirty = true;
            i += 1;
          } else if (code === CR || code === LF) {
            i = this.lineEnd(text, i, code, out);
          } else {
            this.state = State.Unquoted;
            this.dirty = true;
          }
          break;
        }
        case State.Unquoted: {
          // Scan to the next special character in one go.
          let j = i;
          while (j < length) {
            const c = text.charCodeAt(j);
            if (c === COMMA || c === CR || c === LF || c === QUOTE) break;
            j += 1;
          }
          this.field += text.slice(i, j);
          if (j === length) {
            i = j;
            break;
          }
          const c = text.charCodeAt(j);
          if (c === QUOTE) {
            // RFC 4180: a field containing quotes must be quoted. Keep the character, flag the record.
            this.error ??= `a quote inside an unquoted field (line ${this.line})`;
            this.field += '"';
            i = j + 1;
          } else if (c === COMMA) {
            this.fields.push(this.field);
            this.field = '';
            this.state = State.FieldStart;
            i = j + 1;
          } else {
            i = this.lineEnd(text, j, c, out);
          }
          break;
        }
        case State.Quoted: {
          const close = text.indexOf('"', i);
          const end = close === -1 ? length : close;
          const part = text.slice(i, end);
          this.countLines(part);
          this.field += part;
          if (close === -1) {
            i = length;
          } else {
            this.state = State.QuoteInQuoted;
            i = close + 1;
          }
          break;
        }
        case State.QuoteInQuoted: {
          if (code === QUOTE) {
            this.field += '"';
            this.state = State.Quoted;
            i += 1;
          } else if (code === COMMA) {
            this.fields.push(this.field);
            this.field = '';
            this.state = State.FieldStart;
            i += 1;
          } else if (code === CR || code === LF) {
            i = this.lineEnd(text, i, code, out);
          } else {
            this.error ??= `unexpected character after a closing quote (line ${this.line})`;
            this.state = State.Unquoted;
          }
          break;
        }
      }
    }
    return out;
  }

  /** Completes the input: the last record (without a trailing newline) and an unterminated quote. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.state === State.Quoted) this.error ??= `a quoted field is not closed before the end of the file (opened on line ${this.recordLine} or later)`;
    if (this.dirty || this.state !== State.FieldStart) this.emit(out);
    this.afterCr = false;
    return out;
  }

  private lineEnd(text: string, i: number, code: number, out: CsvRecord[]): number {
    this.line += 1;
    if (this.dirty) this.emit(out);
    this.recordLine = this.line;
    if (code === CR) {
      if (i + 1 < text.length) return text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      this.afterCr = true;
    }
    return i + 1;
  }

  private emit(out: CsvRecord[]): void {
    this.fields.push(this.field);
    const record: CsvRecord = { fields: this.fields, line: this.recordLine };
    if (this.error) record.error = this.error;
    out.push(record);
    this.fields = [];
    this.field = '';
    this.state = State.FieldStart;
    this.error = undefined;
    this.dirty = false;
  }

  /** Line breaks inside a quoted field still advance the physical line count (CRLF counts once). */
  private countLines(part: string): void {
    for (let k = part.indexOf('\n'); k !== -1; k = part.indexOf('\n', k + 1)) this.line += 1;
    for (let k = part.indexOf('\r'); k !== -1; k = part.indexOf('\r', k + 1)) {
      if (part.charCodeAt(k + 1) !== LF && !(k + 1 === part.length)) this.line += 1;
    }
  }
}

/** Parses a whole string (tests, small inputs). */
export function parseCsv(text: string): CsvRecord[] {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
}
