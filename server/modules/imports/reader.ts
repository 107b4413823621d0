import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { contactFromVCard, parseVCards, VCardError } from '../../platform/vcard/vcard';
import { type RandomAccess, XlsxError, xlsxRows } from './xlsx';

export type ImportFormat = 'csv' | 'xlsx' | 'vcard';

/** One data row of the file: its number as a spreadsheet shows it (the header is row 1). */
export interface SourceRow {
  row: number;
  /** Cell text by column header. */
  values: Record<string, string>;
  /** A row the reader could not read (a malformed CSV line): recorded as this row's error. */
  error?: string;
  /** Fields already in Rapport's shape (a vCard), used as they are besides the mapped columns. */
  fields?: Record<string, unknown>;
  /** The byte offset just after this row in the file, where a resumed read may start (UTF-8 CSV). */
  end?: number;
}

export class UnreadableFile extends Error {
  override name = 'UnreadableFile';
}

/** Which format a file is, from its name and first bytes (a zip is XLSX, BEGIN:VCARD a vCard). */
export function detectFormat(fileName: string, head: Uint8Array): ImportFormat {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  const start = Buffer.from(head.subarray(0, 64))
    .toString('latin1')
    .replace(/^\uFEFF|^ï»¿/, '')
    .trimStart();
  if (/^BEGIN:VCARD/i.test(start) || /\.vcf$/i.test(fileName)) return 'vcard';
  return 'csv';
}

/** The text encoding of a CSV from its first bytes: a BOM, valid UTF-8, else Windows-1252. */
export function detectEncoding(head: Uint8Array): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // A chunk may end inside a character: judge all but the last 3 bytes.
  const sample = head.subarray(0, Math.max(0, head.length - 3));
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
    return 'utf-8';
  } catch {
    return 'win1252';
  }
}

/** The delimiter of a CSV: the one of `,` `;` tab `|` found most often outside quotes in its first line. */
export function detectDelimiter(text: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch] = (counts[ch] as number) + 1;
  }
  let best = ',';
  for (const [d, n] of Object.entries(counts)) if (n > (counts[best] as number)) best = d;
  return best;
}

/** A stored file: its bytes in order, and at random (an XLSX's parts are found from its end). */
export interface ImportSource extends RandomAccess {
  /** The bytes in order, from `from` (default 0). */
  chunks(from?: number): AsyncIterable<Uint8Array>;
}

/**
 * The file's header and rows, streamed. CSV is parsed as it arrives (any delimiter and
 * encoding, quoted newlines; a malformed line becomes that row's error); XLSX reads the
 * first sheet a row at a time (xlsx.ts); vCard files are read whole.
 */
export async function* readRows(
  format: ImportFormat,
  file: ImportSource,
  from?: ResumeAt,
): AsyncGenerator<SourceRow | { header: string[] }> {
  if (format === 'csv') yield* readCsv(file, from);
  else if (format === 'xlsx') yield* readXlsx(file);
  else yield* readVCard(await collect(file.chunks()));
}

/** A file on disk as an import source. */
export function fileSource(path: string, chunkBytes: number): ImportSource {
  return {
    async *chunks(from = 0) {
      const stream = fs.createReadStream(path, { highWaterMark: chunkBytes, start: from });
      for await (const chunk of stream) yield chunk as Buffer;
    },
    size: async () => (await fs.promises.stat(path)).size,
    async read(offset, length) {
      const fd = await fs.promises.open(path, 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await fd.read(buf, 0, length, offset);
        return buf.subarray(0, bytesRead);
      } finally {
        await fd.close();
      }
    },
  };
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** Where a resumed CSV read starts: the byte just after the last row read before, and that row's number. */
export interface ResumeAt {
  offset: number;
  row: number;
}

/**
 * A CSV file's header and rows. A UTF-8 file (most are) is parsed from its bytes, and each
 * row carries `end`, the byte offset just after it: a run that stops (a hand-over, a crash)
 * resumes at `from` without parsing the rows before it again (the header is read again from
 * the file's start). Other encodings are decoded first and always read from the start.
 */
async function* readCsv(
  file: ImportSource,
  from?: ResumeAt,
  headerOnly = false,
): AsyncGenerator<SourceRow | { header: string[] }> {
  const iterator = file.chunks()[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new UnreadableFile('the file is empty');
  const head = first.value;
  const encoding = detectEncoding(head);
  const delimiter = detectDelimiter(iconv.decode(Buffer.from(head.subarray(0, 64 * 1024)), encoding));
  const raw = encoding === 'utf-8';
  let header: string[] | null = null;
  if (from && raw) {
    // Only the header from the start, then on from where the last run stopped.
    await iterator.return?.();
    for await (const item of readCsv(file, undefined, true)) {
      if ('header' in item) {
        header = item.header;
        break;
      }
    }
    if (!header) throw new UnreadableFile('the file has no header row');
    yield { header };
  }
  const resumed = !!(from && raw);
  const bytes = resumed
    ? file.chunks((from as ResumeAt).offset)
    : (async function* () {
        yield head;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value;
        }
      })();
  const source = Readable.from(
    (async function* () {
      for await (const b of bytes) yield Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    })(),
  );
  // Malformed lines, with how many records the parser had passed when it met each: the parser
  // runs ahead of this reader, so each is yielded in its place among the rows, not when met.
  const skipped: { message: string; after: number }[] = [];
  const parser = (raw ? source : source.pipe(iconv.decodeStream(encoding))).pipe(
    parse({
      delimiter,
      bom: !resumed,
      // The header alone: the parser stops after it instead of parsing the rest of the chunk.
      ...(headerOnly ? { to: 1 } : {}),
      info: raw,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        // The row number is the error's own; csv-parse's line counts from where this read began.
        const after = (err as { records?: number } | undefined)?.records;
        skipped.push({
          message: err?.message.replace(/ at line \d+/, '') ?? 'this line could not be read',
          after: typeof after === 'number' ? after : 0,
        });
        return undefined;
      },
    }),
  );
  const base = resumed ? (from as ResumeAt).offset : 0;
  let row = resumed ? (from as ResumeAt).row : 1;
  let records = 0; // records taken from the parser (the header too)
  /** The malformed lines met before record number `before` (all of them at the end). */
  const flushSkipped = function* (before = Number.POSITIVE_INFINITY): Generator<SourceRow> {
    while (
      skipped.length &&
      ((skipped[0] as { after: number }).after < before || before === Number.POSITIVE_INFINITY)
    ) {
      row++;
      yield { row, values: {}, error: `malformed CSV: ${skipped.shift()?.message}` };
    }
  };
  for await (const parsed of parser as AsyncIterable<string[] | { record: string[]; info: { bytes: number } }>) {
    const record = Array.isArray(parsed) ? parsed : parsed.record;
    const end = Array.isArray(parsed) ? undefined : base + parsed.info.bytes;
    records++;
    if (!header) {
      header = record.map((h, i) => h.trim() || `Column ${i + 1}`);
      // Lines before the header are not rows.
      while (skipped.length && (skipped[0] as { after: number }).after < records) skipped.shift();
      yield { header };
      continue;
    }
    yield* flushSkipped(records);
    row++;
    const values: Record<string, string> = {};
    const h = header;
    for (let i = 0; i < h.length; i++) {
      const v = record[i];
      const name = h[i] as string;
      if (v !== undefined && !(name in values)) values[name] = v;
    }
    yield end === undefined ? { row, values } : { row, values, end };
  }
  yield* flushSkipped();
  if (!header) throw new UnreadableFile('the file has no header row');
}

/** The first worksheet of an XLSX workbook, streamed (see xlsx.ts): the first row holding a cell is the header. */
async function* readXlsx(file: ImportSource): AsyncGenerator<SourceRow | { header: string[] }> {
  let header: string[] | null = null;
  try {
    for await (const { row, cells } of xlsxRows(file)) {
      if (!header) {
        if (cells.every((c) => !c)) continue;
        header = Array.from(cells, (h, i) => (h ?? '').trim() || `Column ${i + 1}`);
        yield { header };
        continue;
      }
      if (cells.every((c) => c == null || c === '')) continue;
      const values: Record<string, string> = {};
      header.forEach((h, i) => {
        const v = cells[i];
        if (v !== undefined && !(h in values)) values[h] = v;
      });
      yield { row, values };
    }
  } catch (err) {
    if (err instanceof XlsxError) throw new UnreadableFile(err.message);
    throw err;
  }
  if (!header) throw new UnreadableFile('the first worksheet is empty');
}

/** The header of a vCard file's rows: the columns a mapping may name. */
export const VCARD_COLUMNS = ['UID', 'ORG'] as const;

/** Each card as a row: contact fields as they are, the UID and organisation as columns. */
function* readVCard(bytes: Buffer): Generator<SourceRow | { header: string[] }> {
  let cards: ReturnType<typeof parseVCards>;
  try {
    cards = parseVCards(bytes);
  } catch (err) {
    if (err instanceof VCardError) throw new UnreadableFile(`not a vCard file: ${err.message}`);
    throw err;
  }
  yield { header: [...VCARD_COLUMNS] };
  for (const [i, card] of cards.entries()) {
    const { fields, accountName } = contactFromVCard(card);
    // A card without a UID (phones' 2.1 exports) is known by its name, phones and emails.
    const uid =
      card.uid ??
      `sha1:${createHash('sha1')
        .update(JSON.stringify([card.fn, card.name, card.phones, card.emails]))
        .digest('hex')}`;
    yield { row: i + 1, values: { UID: uid, ORG: accountName ?? '' }, fields };
  }
}
