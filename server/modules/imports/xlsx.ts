import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';

/**
 * A streamed XLSX reader: the first worksheet of a workbook, row by row, without holding
 * the file or the sheet in memory. The stored file is read at random (the zip's central
 * directory at its end names where each part is), so the shared strings and styles are
 * read before the sheet whatever order the zip keeps them in (Excel writes the sheets
 * first), and the sheet is inflated and scanned a piece at a time: memory holds the shared
 * strings (the workbook's distinct texts) and one row, however long the sheet.
 *
 * Cells: shared and inline strings (rich text runs joined, phonetic runs left out, `_xHHHH_`
 * escapes), numbers (as Excel shows them, at most 15 significant digits), booleans
 * (`true`/`false`), formulas' cached values, and numbers formatted as dates or times turned
 * into ISO text (`2024-03-01`, `2024-03-01T13:45:00`, `13:45:00`; the 1900 and 1904 date
 * systems). A missing cell is absent from the row; a cell without a value is ''.
 */

/** Random access to a stored file. */
export interface RandomAccess {
  size(): Promise<number>;
  /** `length` bytes from `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export class XlsxError extends Error {
  override name = 'XlsxError';
}

/** Compressed bytes read (and inflated) per step. */
const PIECE = 256 * 1024;
/** The workbook's small parts (workbook, relationships, styles) are read whole up to this size. */
const SMALL_PART = 16 * 1024 * 1024;

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  offset: number;
}

const u16 = (b: Uint8Array, at: number) => (b[at] as number) | ((b[at + 1] as number) << 8);
const u32 = (b: Uint8Array, at: number) => (u16(b, at) + u16(b, at + 2) * 0x10000) >>> 0;
const u64 = (b: Uint8Array, at: number) => u32(b, at) + u32(b, at + 4) * 0x1_0000_0000;

/** The zip's entries, from its central directory (zip64 included). */
async function entries(file: RandomAccess): Promise<Map<string, Entry>> {
  const size = await file.size();
  const tailStart = Math.max(0, size - (22 + 0xffff));
  const tail = await file.read(tailStart, size - tailStart);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new XlsxError('the file is not a valid XLSX workbook');
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff || cdSize === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(tail, locator) !== 0x07064b50)
      throw new XlsxError('the workbook’s zip64 directory is missing');
    const record = await file.read(u64(tail, locator + 8), 56);
    if (u32(record, 0) !== 0x06064b50) throw new XlsxError('the workbook’s zip64 directory is broken');
    count = u64(record, 32);
    cdSize = u64(record, 40);
    cdOffset = u64(record, 48);
  }
  if (cdSize > SMALL_PART || cdOffset + cdSize > size) throw new XlsxError('the workbook’s zip directory is broken');
  const cd = await file.read(cdOffset, cdSize);
  const out = new Map<string, Entry>();
  let at = 0;
  for (let n = 0; n < count && at + 46 <= cd.length; n++) {
    if (u32(cd, at) !== 0x02014b50) throw new XlsxError('the workbook’s zip directory is broken');
    const nameLength = u16(cd, at + 28);
    const extraLength = u16(cd, at + 30);
    const commentLength = u16(cd, at + 32);
    const name = Buffer.from(cd.subarray(at + 46, at + 46 + nameLength)).toString('utf8');
    let compressedSize = u32(cd, at + 20);
    const uncompressed = u32(cd, at + 24);
    let offset = u32(cd, at + 42);
    // Zip64 sizes and offset live in the extra field (id 1), in this order, when the 32-bit ones overflow.
    const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = u16(extra, e);
      const len = u16(extra, e + 2);
      if (id === 1) {
        let p = e + 4;
        if (uncompressed === 0xffffffff) p += 8;
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(extra, p);
          p += 8;
        }
        if (offset === 0xffffffff) offset = u64(extra, p);
      }
      e += 4 + len;
    }
    out.set(name.replace(/^\//, ''), { name, method: u16(cd, at + 10), compressedSize, offset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

/** An entry's uncompressed bytes, a piece at a time. */
async function* entryBytes(file: RandomAccess, entry: Entry): AsyncGenerator<Uint8Array> {
  const local = await file.read(entry.offset, 30);
  if (local.length < 30 || u32(local, 0) !== 0x04034b50)
    throw new XlsxError(`the workbook's part ${entry.name} is broken`);
  const start = entry.offset + 30 + u16(local, 26) + u16(local, 28);
  const compressed = (async function* () {
    for (let done = 0; done < entry.compressedSize; ) {
      const piece = await file.read(start + done, Math.min(PIECE, entry.compressedSize - done));
      if (piece.length === 0) throw new XlsxError(`the workbook's part ${entry.name} is cut short`);
      done += piece.length;
      yield piece;
    }
  })();
  if (entry.method === 0) {
    yield* compressed;
    return;
  }
  if (entry.method !== 8) throw new XlsxError(`the workbook's part ${entry.name} uses an unknown compression`);
  const inflate = Readable.from(compressed, { objectMode: false }).pipe(createInflateRaw());
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof XlsxError) throw err;
    throw new XlsxError(`the workbook's part ${entry.name} cannot be inflated`);
  } finally {
    inflate.destroy();
  }
}

/** An entry's text, a piece at a time (UTF-8, characters split across pieces kept whole). */
async function* entryText(file: RandomAccess, entry: Entry): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const bytes of entryBytes(file, entry)) {
    const text = decoder.decode(bytes, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function entryWhole(file: RandomAccess, entry: Entry | undefined): Promise<string | null> {
  if (!entry) return null;
  let text = '';
  for await (const piece of entryText(file, entry)) {
    text += piece;
    if (text.length > SMALL_PART) throw new XlsxError(`the workbook's part ${entry.name} is too large`);
  }
  return text;
}

/**
 * The elements named `tag` (any namespace prefix) in a streamed XML text, each as its own
 * string: the buffer holds at most one element and the text after it.
 */
async function* elements(text: AsyncIterable<string>, tag: string): AsyncGenerator<string> {
  const open = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${tag}(?=[\\s/>])`, 'g');
  const close = new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${tag}\\s*>`, 'g');
  let buf = '';
  for await (const piece of text) {
    buf += piece;
    let pos = 0;
    for (;;) {
      open.lastIndex = pos;
      const start = open.exec(buf);
      if (!start) {
        // Keep a tag that may be cut at the end of the piece.
        const lt = buf.lastIndexOf('<');
        pos = lt >= pos ? lt : buf.length;
        break;
      }
      const tagEnd = buf.indexOf('>', start.index);
      if (tagEnd < 0) {
        pos = start.index;
        break;
      }
      if (buf[tagEnd - 1] === '/') {
        yield buf.slice(start.index, tagEnd + 1);
        pos = tagEnd + 1;
        continue;
      }
      close.lastIndex = tagEnd;
      const end = close.exec(buf);
      if (!end) {
        pos = start.index;
        break;
      }
      yield buf.slice(start.index, end.index + end[0].length);
      pos = end.index + end[0].length;
    }
    buf = buf.slice(pos);
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML text decoded: entities, then OOXML's `_xHHHH_` escapes (`_x000D_` is a carriage return). */
export function xmlText(s: string): string {
  const text = s.includes('&')
    ? s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (m, e: string) => {
        if (e[0] !== '#') return ENTITIES[e] ?? m;
        const code = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
        return code <= 0x10ffff ? String.fromCodePoint(code) : m;
      })
    : s;
  return text.includes('_x')
    ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    : text;
}

const T_ELEMENT = /<(?:[\w.-]+:)?t(?:\s[^>]*)?(?:\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?t>)/g;
const PHONETIC = /<(?:[\w.-]+:)?rPh[\s>][\s\S]*?<\/(?:[\w.-]+:)?rPh>/g;

/** The text of a string item (`<si>` or `<is>`): its `<t>` runs, phonetic guides left out. */
function stringItem(xml: string): string {
  const body = xml.includes('rPh') ? xml.replace(PHONETIC, '') : xml;
  let out = '';
  T_ELEMENT.lastIndex = 0;
  for (let m = T_ELEMENT.exec(body); m; m = T_ELEMENT.exec(body)) out += m[1] ? xmlText(m[1]) : '';
  return out;
}

const small = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  isArray: (name) => ['sheet', 'Relationship', 'numFmt', 'xf'].includes(name),
  parseTagValue: false,
  parseAttributeValue: false,
});

/** Built-in number formats that show dates or times (ECMA-376 18.8.30; 27–36 and 50–58 are East Asian dates). */
const BUILTIN_DATES = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58]);
const BUILTIN_TIMES = new Set([18, 19, 20, 21, 32, 33, 45, 46, 47, 55, 56]);

type Shown = 'date' | 'datetime' | 'time';

/** What a format code shows: a date, a time, both, or neither (quoted text, escapes and [colours] aside). */
export function formatKind(code: string): Shown | null {
  const bare = code
    .split(';')[0]
    ?.replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[(?![hms]+\])[^\]]*\]/gi, '')
    .replace(/_.|\*./g, '');
  if (!bare) return null;
  const date = /[dy]/i.test(bare) || (/m/i.test(bare) && !/[hs]/i.test(bare) && !/[0#?]/.test(bare));
  const time = /[hs]/i.test(bare) || /AM\/PM|A\/P/i.test(bare);
  if (date && time) return 'datetime';
  if (date) return 'date';
  return time ? 'time' : null;
}

/** Per cell style index, what its number format shows (null: a plain number). */
function styleKinds(stylesXml: string | null): (Shown | null)[] {
  if (!stylesXml) return [];
  const doc = small.parse(stylesXml) as {
    styleSheet?: {
      numFmts?: { numFmt?: { '@numFmtId'?: string; '@formatCode'?: string }[] };
      cellXfs?: { xf?: { '@numFmtId'?: string }[] };
    };
  };
  const custom = new Map<number, Shown | null>();
  for (const f of doc.styleSheet?.numFmts?.numFmt ?? []) {
    custom.set(Number(f['@numFmtId']), formatKind(f['@formatCode'] ?? ''));
  }
  return (doc.styleSheet?.cellXfs?.xf ?? []).map((xf) => {
    const id = Number(xf['@numFmtId'] ?? 0);
    if (custom.has(id)) return custom.get(id) ?? null;
    if (BUILTIN_DATES.has(id)) return id === 22 ? 'datetime' : 'date';
    return BUILTIN_TIMES.has(id) ? 'time' : null;
  });
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A serial date as ISO text, in the workbook's date system. */
export function serialText(serial: number, kind: Shown, date1904: boolean): string {
  let days = Math.floor(serial);
  let seconds = Math.round((serial - days) * 86_400);
  if (seconds >= 86_400) {
    days++;
    seconds -= 86_400;
  }
  const time = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
  if (kind === 'time' && serial < 1) return time;
  // 1900 system: day 1 is 1900-01-01 and day 60 the 29 February 1900 that never was (Lotus's bug).
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const d = new Date(epoch + (!date1904 && days < 60 ? days + 1 : days) * 86_400_000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return kind === 'date' ? date : `${date}T${time}`;
}

/** A number cell's text as Excel shows it: at most 15 significant digits (`0.1`, not `0.10000000000000001`). */
export function numberText(v: string): string {
  const m = /^(-?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(v);
  if (!m || (!m[2] && !m[3])) return v;
  const digits = `${m[2]}${m[3]}`.replace(/^0+/, '');
  if (m[4] === undefined && digits.length <= 15) return v;
  const n = Number(Number(v).toPrecision(15));
  return Number.isFinite(n) ? String(n) : v;
}

const columnIndex = (ref: string) => {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
};

const ROW_NUMBER = /\sr="(\d+)"/;
const CELL = /<(?:[\w.-]+:)?c(?=[\s/>])([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?c>)/g;
const ATTR = /\s(r|t|s)="([^"]*)"/g;
const V = /<(?:[\w.-]+:)?v(?:\s[^>]*)?>([\s\S]*?)<\/(?:[\w.-]+:)?v>/;
const IS = /<(?:[\w.-]+:)?is(?:\s[^>]*)?>([\s\S]*?)<\/(?:[\w.-]+:)?is>/;

export interface XlsxRow {
  /** The row's number as the spreadsheet shows it. */
  row: number;
  /** Cell text by column index; a missing cell is a hole. */
  cells: string[];
}

/** The first worksheet's rows that hold any cell, in order. */
export async function* xlsxRows(file: RandomAccess): AsyncGenerator<XlsxRow> {
  const parts = await entries(file);
  const workbook = await entryWhole(file, parts.get('xl/workbook.xml'));
  const sheet = parts.get(
    firstSheetPath(parts, workbook, await entryWhole(file, parts.get('xl/_rels/workbook.xml.rels'))) ?? '',
  );
  if (!sheet) throw new XlsxError('the workbook has no worksheet');
  const date1904 = /<(?:[\w.-]+:)?workbookPr\b[^>]*\bdate1904="(?:1|true)"/.test(workbook ?? '');
  const kinds = styleKinds(await entryWhole(file, parts.get('xl/styles.xml')));
  const shared: string[] = [];
  const sst = parts.get('xl/sharedStrings.xml');
  if (sst) for await (const si of elements(entryText(file, sst), 'si')) shared.push(stringItem(si));

  let next = 1;
  for await (const rowXml of elements(entryText(file, sheet), 'row')) {
    const head = rowXml.slice(0, rowXml.indexOf('>'));
    const r = ROW_NUMBER.exec(head);
    const row = r ? Number(r[1]) : next;
    next = row + 1;
    const cells: string[] = [];
    let col = 0;
    CELL.lastIndex = 0;
    for (let c = CELL.exec(rowXml); c; c = CELL.exec(rowXml)) {
      let ref: string | undefined;
      let type: string | undefined;
      let style: string | undefined;
      ATTR.lastIndex = 0;
      for (let a = ATTR.exec(c[1] as string); a; a = ATTR.exec(c[1] as string)) {
        if (a[1] === 'r') ref = a[2];
        else if (a[1] === 't') type = a[2];
        else style = a[2];
      }
      if (ref) col = columnIndex(ref);
      const body = c[2] ?? '';
      const raw = V.exec(body)?.[1];
      let text: string;
      if (type === 'inlineStr') text = stringItem(IS.exec(body)?.[1] ?? '');
      else if (raw === undefined) text = '';
      else if (type === 's') text = shared[Number(raw)] ?? '';
      else if (type === 'b') text = raw.trim() === '1' ? 'true' : 'false';
      else if (type === 'str' || type === 'e' || type === 'd') text = xmlText(raw);
      else {
        const kind = style ? kinds[Number(style)] : null;
        const n = Number(raw);
        text =
          kind && raw.trim() && Number.isFinite(n) && n >= 0 ? serialText(n, kind, date1904) : numberText(raw.trim());
      }
      cells[col] = text;
      col++;
    }
    if (cells.length) yield { row, cells };
  }
}

function firstSheetPath(parts: Map<string, Entry>, workbook: string | null, rels: string | null): string | undefined {
  if (workbook && rels) {
    const w = small.parse(workbook) as { workbook?: { sheets?: { sheet?: Record<string, string>[] } } };
    const first = w.workbook?.sheets?.sheet?.[0];
    const rid = first && Object.entries(first).find(([k]) => k === '@id' || k.endsWith(':id'))?.[1];
    const r = small.parse(rels) as { Relationships?: { Relationship?: Record<string, string>[] } };
    const target = r.Relationships?.Relationship?.find((x) => x['@Id'] === rid)?.['@Target'];
    if (target) {
      const p = target.startsWith('/') ? target.slice(1) : `xl/${target}`.replace(/\/\.\//g, '/');
      if (parts.has(p)) return p;
    }
  }
  return [...parts.keys()]
    .filter((n) => /^xl\/worksheets\/[^/]+\.xml$/.test(n))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))[0];
}
