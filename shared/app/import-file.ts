/**
 * Reading an uploaded file as records, streaming: decoding (UTF-8 with or without BOM, UTF-16),
 * finding the header (LinkedIn puts a `Notes:` preamble above it), guessing the delimiter
 * (comma, semicolon, tab) and parsing with csv-parse (quoted newlines, CRLF, stray quotes).
 */
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse, type CsvError } from 'csv-parse';
import { LIMITS } from '../domain/limits.ts';
import { parseVCards, candidateFromVCard } from '../domain/vcard.ts';
import type { RowCandidate } from '../domain/import-row.ts';

/** The file cannot be read at all (as opposed to rows that are wrong): the job fails with this. */
export class ImportFileError extends Error {}

export interface CsvRecord {
  /** 1-based position of the record under the header. */
  row: number;
  cells: string[];
}

export type CsvRow = CsvRecord | { row: number; unreadable: string };

/** Text of a byte stream, decoded by its BOM (UTF-16 LE/BE) or as UTF-8, BOM dropped. */
async function* decode(stream: Readable): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > LIMITS.maxImportFileBytes)
      throw new ImportFileError(`The file is larger than ${LIMITS.maxImportFileBytes} bytes.`);
    if (!decoder) {
      const encoding =
        chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : 'utf-8';
      decoder = new TextDecoder(encoding);
    }
    yield decoder.decode(chunk, { stream: true });
  }
  if (decoder) yield decoder.decode();
}

/** Counts `char` in a line outside double quotes. */
function countOutsideQuotes(line: string, char: string): number {
  let count = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === char && !quoted) count++;
  }
  return count;
}

/**
 * Where the header starts in the first part of a file and which delimiter it uses. LinkedIn's
 * `Connections.csv` opens with `Notes:`, a quoted paragraph and a blank line.
 */
export function sniffCsv(head: string): { headerOffset: number; delimiter: string } {
  const lines = head.split(/\r?\n/);
  let index = 0;
  while (index < lines.length && lines[index]!.trim() === '') index++;
  if (/^notes:/i.test(lines[index]?.trim() ?? '')) {
    while (index < lines.length && lines[index]!.trim() !== '') index++;
    while (index < lines.length && lines[index]!.trim() === '') index++;
  }
  const offset = lines.slice(0, index).reduce((sum, line) => sum + line.length, 0) + countNewlines(head, index);
  const header = lines[index] ?? '';
  const delimiter = [',', ';', '\t', '|'].map((d) => ({ d, n: countOutsideQuotes(header, d) })).sort((a, b) => b.n - a.n)[0]!;
  return { headerOffset: offset, delimiter: delimiter.n > 0 ? delimiter.d : ',' };
}

function countNewlines(text: string, lines: number): number {
  // Lengths of the line breaks (\n or \r\n) after the first `lines` lines.
  let offset = 0;
  let total = 0;
  for (let i = 0; i < lines; i++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) break;
    total += text[next - 1] === '\r' ? 2 : 1;
    offset = next + 1;
  }
  return total;
}

const SNIFF_CHARS = 64 * 1024;

/** A CSV file as its header and its records, read as a stream. */
export async function readCsv(stream: Readable): Promise<{ headers: string[]; rows: AsyncGenerator<CsvRow> }> {
  const text = decode(stream);
  let head = '';
  let done = false;
  while (head.length < SNIFF_CHARS && !done) {
    const next = await text.next();
    if (next.done) done = true;
    else head += next.value;
  }
  const { headerOffset, delimiter } = sniffCsv(head);
  const skipped: { row: number; message: string }[] = [];
  let recordCount = 0;
  const parser = parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: LIMITS.maxCsvRecordChars,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      skipped.push({ row: recordCount, message: error?.message ?? 'unreadable record' });
      return undefined;
    },
  });
  // Feed the parser from the decoded text; backpressure through write's callback.
  const feed = (async () => {
    try {
      const write = (chunk: string) =>
        new Promise<void>((resolve, reject) => parser.write(chunk, (error) => (error ? reject(error) : resolve())));
      await write(head.slice(headerOffset));
      if (!done) for await (const chunk of text) await write(chunk);
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();

  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const first = await records.next();
  if (first.done) {
    await feed;
    throw new ImportFileError('The file is empty: it has no header row.');
  }
  const headers = first.value.map((h) => h.trim());
  if (headers.filter(Boolean).length === 0)
    throw new ImportFileError('The first row of the file is empty; it must name the columns.');

  async function* rows(): AsyncGenerator<CsvRow> {
    try {
      for (;;) {
        const next = await records.next();
        while (skipped.length > 0) {
          const skip = skipped.shift()!;
          recordCount++;
          yield { row: recordCount, unreadable: skip.message };
        }
        if (next.done) break;
        recordCount++;
        yield { row: recordCount, cells: next.value };
      }
    } catch (error) {
      throw new ImportFileError(`The file is not readable CSV after row ${recordCount}: ${(error as Error).message}`);
    } finally {
      await feed;
    }
  }
  return { headers, rows: rows() };
}

/** Every card of a vCard file, as candidates. */
export async function* readVCardCandidates(stream: Readable): AsyncGenerator<{ row: number; candidate: RowCandidate }> {
  let text = '';
  for await (const chunk of decode(stream)) text += chunk;
  const cards = parseVCards(text);
  if (cards.length === 0) throw new ImportFileError('The file holds no vCard (BEGIN:VCARD … END:VCARD).');
  for (const [index, card] of cards.entries()) yield { row: index + 1, candidate: candidateFromVCard(card) };
}
