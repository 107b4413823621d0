import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { XMLParser } from 'fast-xml-parser';
import { strFromU8, unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { contactFromVCard, parseVCards, VCardError } from '../../platform/vcard/vcard';

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

/**
 * The file's header and rows, streamed: `chunks` yields the stored bytes in order. CSV is
 * parsed as it arrives (any delimiter and encoding, quoted newlines; a malformed line
 * becomes that row's error); XLSX reads the first sheet and vCard files are read whole.
 */
export async function* readRows(
  format: ImportFormat,
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<SourceRow | { header: string[] }> {
  if (format === 'csv') yield* readCsv(chunks);
  else if (format === 'xlsx') yield* readXlsx(await collect(chunks));
  else yield* readVCard(await collect(chunks));
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function* readCsv(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SourceRow | { header: string[] }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new UnreadableFile('the file is empty');
  const head = first.value;
  const encoding = detectEncoding(head);
  const delimiter = detectDelimiter(iconv.decode(Buffer.from(head.subarray(0, 64 * 1024)), encoding));
  const source = Readable.from(
    (async function* () {
      yield Buffer.from(head);
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield Buffer.from(next.value);
      }
    })(),
  );
  const skipped: string[] = [];
  const parser = source.pipe(iconv.decodeStream(encoding)).pipe(
    parse({
      delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        skipped.push(err?.message ?? 'this line could not be read');
        return undefined;
      },
    }),
  );
  let header: string[] | null = null;
  let row = 1;
  const flushSkipped = function* (): Generator<SourceRow> {
    while (skipped.length) {
      row++;
      yield { row, values: {}, error: `malformed CSV: ${skipped.shift()}` };
    }
  };
  for await (const record of parser as AsyncIterable<string[]>) {
    if (!header) {
      header = record.map((h, i) => h.trim() || `Column ${i + 1}`);
      skipped.length = 0;
      yield { header };
      continue;
    }
    yield* flushSkipped();
    row++;
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      const v = record[i];
      if (v !== undefined && !(h in values)) values[h] = v;
    });
    yield { row, values };
  }
  yield* flushSkipped();
  if (!header) throw new UnreadableFile('the file has no header row');
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['si', 'r', 'row', 'c', 'sheet', 'Relationship'].includes(name),
  parseTagValue: false,
  trimValues: false,
});

const textOf = (node: unknown): string => {
  if (node == null) return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  const o = node as Record<string, unknown>;
  if ('#text' in o) return String(o['#text']);
  if ('t' in o) return textOf(o.t);
  if ('r' in o) return textOf(o.r);
  return '';
};

const columnIndex = (ref: string) => {
  const letters = /^[A-Z]+/.exec(ref)?.[0] ?? 'A';
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
};

/** The first worksheet of an XLSX workbook (shared and inline strings, numbers, booleans). */
function* readXlsx(bytes: Buffer): Generator<SourceRow | { header: string[] }> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) =>
        f.name === 'xl/sharedStrings.xml' ||
        f.name === 'xl/workbook.xml' ||
        f.name === 'xl/_rels/workbook.xml.rels' ||
        f.name.startsWith('xl/worksheets/sheet'),
    });
  } catch {
    throw new UnreadableFile('the file is not a valid XLSX workbook');
  }
  const sheetPath = firstSheetPath(files);
  const sheetBytes = sheetPath ? files[sheetPath] : undefined;
  if (!sheetBytes) throw new UnreadableFile('the workbook has no worksheet');
  const shared: string[] = [];
  const sst = files['xl/sharedStrings.xml'];
  if (sst) {
    const doc = xml.parse(strFromU8(sst)) as { sst?: { si?: unknown[] } };
    for (const si of doc.sst?.si ?? []) shared.push(textOf(si));
  }
  const doc = xml.parse(strFromU8(sheetBytes)) as {
    worksheet?: { sheetData?: { row?: { '@r'?: string; c?: Record<string, unknown>[] }[] } };
  };
  let header: string[] | null = null;
  for (const r of doc.worksheet?.sheetData?.row ?? []) {
    const cells: string[] = [];
    for (const [i, c] of (r.c ?? []).entries()) {
      const ref = c['@r'] as string | undefined;
      const idx = ref ? columnIndex(ref) : i;
      const type = c['@t'] as string | undefined;
      let v: string;
      if (type === 's') v = shared[Number(textOf(c.v))] ?? '';
      else if (type === 'inlineStr') v = textOf(c.is);
      else if (type === 'b') v = textOf(c.v) === '1' ? 'true' : 'false';
      else v = textOf(c.v);
      cells[idx] = v;
    }
    const rowNumber = Number(r['@r']) || 0;
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
    yield { row: rowNumber, values };
  }
  if (!header) throw new UnreadableFile('the first worksheet is empty');
}

function firstSheetPath(files: Record<string, Uint8Array>): string | undefined {
  const wb = files['xl/workbook.xml'];
  const rels = files['xl/_rels/workbook.xml.rels'];
  if (wb && rels) {
    const w = xml.parse(strFromU8(wb)) as { workbook?: { sheets?: { sheet?: Record<string, string>[] } } };
    const rid = w.workbook?.sheets?.sheet?.[0]?.['@r:id'];
    const r = xml.parse(strFromU8(rels)) as { Relationships?: { Relationship?: Record<string, string>[] } };
    const target = r.Relationships?.Relationship?.find((x) => x['@Id'] === rid)?.['@Target'];
    if (target) {
      const p = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
      if (files[p]) return p;
    }
  }
  return Object.keys(files)
    .filter((n) => n.startsWith('xl/worksheets/sheet'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))[0];
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
