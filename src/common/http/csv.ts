import { Readable } from 'node:stream';
import { StreamableFile } from '@nestjs/common';

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

// What a spreadsheet may take for a cell boundary: `,`, `;` (semicolon locales), tab, line breaks.
const SEPARATOR = /[,;\t\r\n]/;
const SEGMENT_AFTER_SEPARATOR = /([,;\t\r\n])([^,;\t\r\n]*)/g;

function defused(segment: string): string {
  return FORMULA_START.test(segment) && !PLAIN_NUMBER.test(segment) ? `'${segment}` : segment;
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a separator of any locale or a quote; text that
 * a spreadsheet would run is defused at its start and after every separator inside it, so even a
 * reader that splits the cell (`x;=1+1;` in a semicolon locale) gets no formula (S-14).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = `${value as string | number | boolean | bigint}`;
  text = defused(text).replace(
    SEGMENT_AFTER_SEPARATOR,
    (_, separator: string, segment: string) => separator + defused(segment),
  );
  return SEPARATOR.test(text) || text.includes('"') ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Column name → how to read it from a row. */
export type CsvColumns<T> = ReadonlyArray<readonly [string, (row: T) => unknown]>;

/** The header line, then one line per row of each batch, as they come: nothing is buffered. */
export async function* csvLines<T>(
  columns: CsvColumns<T>,
  batches: AsyncIterable<T[]> | Iterable<T[]>,
): AsyncGenerator<string> {
  yield csvLine(columns.map(([name]) => name));
  for await (const batch of batches) {
    yield batch.map((row) => csvLine(columns.map(([, read]) => read(row)))).join('');
  }
}

/**
 * A CSV download streamed with backpressure. Nest destroys the stream when the client goes away,
 * which ends the generators below it (and so closes a database cursor).
 */
export function csvFile<T>(
  filename: string,
  columns: CsvColumns<T>,
  batches: AsyncIterable<T[]> | Iterable<T[]>,
): StreamableFile {
  return new StreamableFile(Readable.from(csvLines(columns, batches)), {
    type: 'text/csv; charset=utf-8',
    disposition: `attachment; filename="${filename}"`,
  });
}
