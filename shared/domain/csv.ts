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
