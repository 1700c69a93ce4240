// CSV records (RFC 4180): comma-separated, fields optionally in double quotes, "" for a quote inside one,
// CRLF or LF line ends, a UTF-8 byte-order mark ignored. Pure. Each record keeps the number of the line it
// starts on (the header is line 1), so every error can name its row. Blank lines are skipped.

export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

/** Splits text into records. Throws CsvError only for an unterminated quoted field (the file is unusable). */
export function* csvRecords(text: string): Generator<CsvRecord> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    let end = text.indexOf('\n', i);
    if (end < 0) end = n;
    const startLine = line;
    let raw = text.slice(i, end);
    if (raw.indexOf('"') < 0) {
      // fast path: no quotes in this record
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      i = end + 1;
      line++;
      if (raw.trim() === '') continue;
      yield { line: startLine, fields: raw.split(',') };
      continue;
    }
    // slow path: a quoted field, possibly spanning lines
    const fields: string[] = [];
    let field = '';
    let j = i;
    let quoted = false;
    let atStart = true;
    for (;;) {
      if (j >= n) {
        if (quoted) throw new CsvError(startLine, `row ${startLine}: a quoted field is never closed`);
        fields.push(field);
        break;
      }
      const c = text[j]!;
      if (quoted) {
        if (c === '"') {
          if (text[j + 1] === '"') {
            field += '"';
            j += 2;
            continue;
          }
          quoted = false;
          j++;
          continue;
        }
        if (c === '\n') line++;
        field += c;
        j++;
        continue;
      }
      if (c === '"' && atStart) {
        quoted = true;
        atStart = false;
        j++;
        continue;
      }
      if (c === ',') {
        fields.push(field);
        field = '';
        atStart = true;
        j++;
        continue;
      }
      if (c === '\n' || (c === '\r' && (text[j + 1] === '\n' || j + 1 >= n))) {
        fields.push(field);
        j = c === '\r' ? j + 2 : j + 1;
        line++;
        break;
      }
      field += c;
      atStart = false;
      j++;
    }
    i = j;
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    yield { line: startLine, fields };
  }
}

/** Header names compared loosely: case, spaces, underscores and punctuation do not matter. */
export const normHeader = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * A value for a CSV file a person opens in a spreadsheet: a cell that starts like a formula (= + - @, or a
 * tab or carriage return before one) gets a leading ' so it is shown as text, never run; then quoted.
 */
export function exportCsvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return csvField(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
}

/** Quotes a value for a CSV file when it needs it. */
export function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
