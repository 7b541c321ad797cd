/**
 * Writing CSV that spreadsheets open safely: RFC 4180 quoting, and cells that a spreadsheet
 * would run as a formula (starting with = + - @, tab or carriage return) prefixed with `'`,
 * as OWASP recommends against CSV injection.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function csvCell(value: string, options: { neutralize: boolean } = { neutralize: true }): string {
  const text = options.neutralize ? neutralizeFormula(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line, CRLF-terminated. */
export function csvLine(values: readonly string[], options?: { neutralize: boolean }): string {
  return values.map((value) => csvCell(value, options)).join(',') + '\r\n';
}

/**
 * The records of CSV text Kith wrote (csvLine: RFC 4180, CRLF), each exactly as written, line
 * ending included, so a file can be rewritten without some records and otherwise byte for byte.
 */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let record = '';
  let quoted = false;
  for await (const chunk of chunks) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === '"') quoted = !quoted;
      else if (c === '\n' && !quoted) {
        yield record + chunk.slice(start, i + 1);
        record = '';
        start = i + 1;
      }
    }
    record += chunk.slice(start);
  }
  if (record !== '') yield record;
}

/** The cells of one record csvRecords yielded. */
export function csvCells(record: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  const text = record.replace(/\r?\n$/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (cells.push(cell), (cell = ''));
    else cell += c;
  }
  cells.push(cell);
  return cells;
}
