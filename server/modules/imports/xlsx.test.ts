import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { strToU8, Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource, readRows, type SourceRow } from './reader';
import { formatKind, numberText, serialText, xlsxRows } from './xlsx';

// The streamed XLSX reader on generated workbooks laid out as Excel writes them (the sheets
// before the shared strings and styles in the zip, the first sheet of the workbook not being
// sheet1.xml): every cell kind, and a large sheet read with the heap staying flat.

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Writes a workbook to `file` streaming: `rows` yields each row's XML; shared strings are the
 * ones `shared` holds once the rows are written (so they come after the sheet, as in Excel).
 */
async function writeWorkbook(
  file: string,
  rows: Iterable<string>,
  shared: string[],
  opts: { date1904?: boolean; stored?: boolean } = {},
): Promise<{ sheetBytes: number }> {
  const out = fs.createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  let failed: Error | null = null;
  const zip = new Zip((err, data, final) => {
    if (err) failed = err;
    else out.write(data);
    if (final) out.end();
  });
  const add = (name: string, text: string) => {
    const f = opts.stored ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 1 });
    zip.add(f);
    f.push(strToU8(text), true);
  };
  add('[Content_Types].xml', '<?xml version="1.0"?><Types/>');
  add(
    'xl/workbook.xml',
    `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS} ${REL}>${opts.date1904 ? '<workbookPr date1904="1"/>' : '<workbookPr/>'}<sheets><sheet name="Contacts" sheetId="2" r:id="rId7"/><sheet name="Other" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  );
  add(
    'xl/_rels/workbook.xml.rels',
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Type="worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>',
  );
  add(
    'xl/worksheets/sheet1.xml',
    `<worksheet ${NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>not this sheet</t></is></c></row></sheetData></worksheet>`,
  );
  const sheet = opts.stored
    ? new ZipPassThrough('xl/worksheets/sheet2.xml')
    : new ZipDeflate('xl/worksheets/sheet2.xml', { level: 1 });
  zip.add(sheet);
  let sheetBytes = 0;
  let piece = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ${NS}><dimension ref="A1"/><sheetData>`;
  for (const row of rows) {
    piece += row;
    if (piece.length > 256 * 1024) {
      sheetBytes += piece.length;
      sheet.push(strToU8(piece));
      piece = '';
      // Let the file stream drain now and then.
      if (out.writableLength > 4 * 1024 * 1024) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  piece += '</sheetData></worksheet>';
  sheetBytes += piece.length;
  sheet.push(strToU8(piece), true);
  add(
    'xl/styles.xml',
    `<?xml version="1.0"?><styleSheet ${NS}><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/><numFmt numFmtId="165" formatCode="[Red]#,##0.00"/><numFmt numFmtId="166" formatCode="&quot;Day &quot;0"/></numFmts><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="20" applyNumberFormat="1"/><xf numFmtId="165"/><xf numFmtId="166"/></cellXfs></styleSheet>`,
  );
  add(
    'xl/sharedStrings.xml',
    `<?xml version="1.0" encoding="UTF-8"?><sst ${NS} count="${shared.length}" uniqueCount="${shared.length}">${shared.join('')}</sst>`,
  );
  zip.end();
  await done;
  if (failed) throw failed;
  return { sheetBytes };
}

const cell = (ref: string, body: string, attrs = '') => `<c r="${ref}"${attrs}>${body}</c>`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-xlsx-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function rowsOf(file: string): Promise<{ header: string[]; rows: SourceRow[] }> {
  let header: string[] = [];
  const rows: SourceRow[] = [];
  for await (const item of readRows('xlsx', fileSource(file, 1024 * 1024))) {
    if ('header' in item) header = item.header;
    else rows.push(item);
  }
  return { header, rows };
}

describe('streamed XLSX reader', () => {
  it('reads every kind of cell of a multi-thousand-row sheet that precedes its shared strings', async () => {
    const N = 5000;
    const shared: string[] = [];
    const sharedIndex = new Map<string, number>();
    const s = (text: string, xml = `<si><t xml:space="preserve">${esc(text)}</t></si>`) => {
      let i = sharedIndex.get(xml);
      if (i === undefined) {
        i = shared.push(xml) - 1;
        sharedIndex.set(xml, i);
      }
      return cell('', `<v>${i}</v>`, ' t="s"').replace(' r=""', '');
    };
    const header = ['Name', 'Email', 'Amount', 'Birthday', 'Met at', 'Call at', 'Active', 'Note', 'Score'];
    function* rows() {
      yield `<row r="1" spans="1:9">${header.map((h, i) => s(h).replace('<c', `<c r="${String.fromCharCode(65 + i)}1"`)).join('')}</row>`;
      // A blank row between header and data (skipped), as people leave them.
      yield '<row r="2"/>';
      for (let i = 0; i < N; i++) {
        const r = i + 3;
        const cells = [
          s(`Person ${i}`).replace('<c', `<c r="A${r}"`),
          cell(`B${r}`, `<is><t>p${i}@example.com</t></is>`, ' t="inlineStr"'),
          cell(`C${r}`, `<v>${i}.5</v>`),
          cell(`D${r}`, `<v>${45000 + (i % 400)}</v>`, ' s="1"'),
          cell(`E${r}`, '<v>45352.5729166667</v>', ' s="2"'),
          cell(`F${r}`, '<v>0.75</v>', ' s="3"'),
          cell(`G${r}`, `<v>${i % 2}</v>`, ' t="b"'),
          // Rich text with a phonetic guide, shared by every row; empty on every 10th row (a cell without value).
          i % 10 === 0
            ? `<c r="H${r}" s="4"/>`
            : s(
                '',
                '<si><r><rPr><b/></rPr><t>Caf</t></r><r><t xml:space="preserve">é &amp; co_x000D_</t></r><rPh sb="0" eb="1"><t>カフェ</t></rPh></si>',
              ).replace('<c', `<c r="H${r}"`),
          // Column I missing on odd rows (no cell at all); float noise and a formula's cached value otherwise.
          i % 2
            ? ''
            : cell(`I${r}`, `<f>A1*2</f><v>${i % 4 ? '0.30000000000000004' : '1.0000000000000001E-3'}</v>`, ' s="5"'),
        ];
        yield `<row r="${r}">${cells.join('')}</row>`;
      }
    }
    const file = path.join(dir, 'kinds.xlsx');
    await writeWorkbook(file, rows(), shared);
    const { header: read, rows: data } = await rowsOf(file);
    expect(read).toEqual(header);
    expect(data).toHaveLength(N);
    expect(data[0]).toEqual({
      row: 3,
      values: {
        Name: 'Person 0',
        Email: 'p0@example.com',
        Amount: '0.5',
        Birthday: '2023-03-15',
        'Met at': '2024-03-01T13:45:00',
        'Call at': '18:00:00',
        Active: 'false',
        Note: '',
        Score: '0.001',
      },
    });
    expect(data[1]?.values).toEqual({
      Name: 'Person 1',
      Email: 'p1@example.com',
      Amount: '1.5',
      Birthday: '2023-03-16',
      'Met at': '2024-03-01T13:45:00',
      'Call at': '18:00:00',
      Active: 'true',
      Note: 'Café & co\r',
    });
    expect(data[2]?.values.Score).toBe('0.3');
    const last = data[N - 1] as SourceRow;
    expect(last.row).toBe(N + 2);
    expect(last.values).toMatchObject({
      Name: `Person ${N - 1}`,
      Email: `p${N - 1}@example.com`,
      Amount: `${N - 1}.5`,
    });
    // Every row, in order, with its own values.
    expect(data.every((r, i) => r.row === i + 3 && r.values.Email === `p${i}@example.com`)).toBe(true);
    expect(data.filter((r) => 'Score' in r.values)).toHaveLength(N / 2);
  });

  it('reads the 1904 date system, stored (uncompressed) parts, and cells without references', async () => {
    const file = path.join(dir, 'mac.xlsx');
    const rows = [
      `<row><c t="inlineStr"><is><t>When</t></is></c><c t="inlineStr"><is><t>N</t></is></c><c t="inlineStr"><is><t>Label</t></is></c></row>`,
      `<row><c s="1"><v>0</v></c><c><v>42</v></c><c t="str"><v>a &lt;b&gt;</v></c></row>`,
      // Columns skipped by reference: the next cell without one follows it.
      `<row><c r="B3"><v>7</v></c><c t="inlineStr"><is><t>after B</t></is></c></row>`,
    ];
    await writeWorkbook(file, rows, [], { date1904: true, stored: true });
    const { header, rows: data } = await rowsOf(file);
    expect(header).toEqual(['When', 'N', 'Label']);
    expect(data).toEqual([
      { row: 2, values: { When: '1904-01-01', N: '42', Label: 'a <b>' } },
      { row: 3, values: { N: '7', Label: 'after B' } },
    ]);
  });

  it('keeps the heap flat on a sheet far larger than it', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const N = 100_000;
    function* rows() {
      yield '<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c><c r="B1" t="inlineStr"><is><t>Note</t></is></c><c r="C1" t="inlineStr"><is><t>Amount</t></is></c></row>';
      for (let i = 0; i < N; i++) {
        const r = i + 2;
        yield `<row r="${r}" spans="1:3"><c r="A${r}" t="inlineStr"><is><t>contact${i}@example.com</t></is></c><c r="B${r}" t="inlineStr"><is><t>Some longer note text for row ${i}, to make the sheet large</t></is></c><c r="C${r}"><v>${i * 3}</v></c></row>`;
      }
    }
    const file = path.join(dir, 'large.xlsx');
    const { sheetBytes } = await writeWorkbook(file, rows(), []);
    expect(sheetBytes).toBeGreaterThan(20 * 1024 * 1024);
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let header: string[] = [];
    for await (const { row, cells } of xlsxRows(fileSource(file, 1024 * 1024))) {
      if (row === 1) {
        header = cells;
        continue;
      }
      const i = row - 2;
      if (cells[0] !== `contact${i}@example.com` || cells[2] !== String(i * 3)) {
        throw new Error(`row ${row} read wrong: ${cells.join(' | ')}`);
      }
      count++;
      if (count % 10_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
    expect(header).toEqual(['Email', 'Note', 'Amount']);
    expect(count).toBe(N);
    // The sheet is 20+ MB of XML; what the reader holds at any time is a few pieces of it.
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  }, 120_000);

  it('formats: dates and times told from numbers; numbers as Excel shows them', () => {
    expect(formatKind('yyyy-mm-dd')).toBe('date');
    expect(formatKind('mmm-yy')).toBe('date');
    expect(formatKind('d/m/yyyy h:mm AM/PM')).toBe('datetime');
    expect(formatKind('[h]:mm:ss')).toBe('time');
    expect(formatKind('mm:ss')).toBe('time');
    expect(formatKind('[Red]#,##0.00')).toBeNull();
    expect(formatKind('"Day "0')).toBeNull();
    expect(formatKind('General')).toBeNull();
    expect(formatKind('[$-409]dddd, mmmm dd, yyyy')).toBe('date');
    expect(serialText(1, 'date', false)).toBe('1900-01-01');
    expect(serialText(61, 'date', false)).toBe('1900-03-01');
    expect(serialText(45352.99999999, 'datetime', false)).toBe('2024-03-02T00:00:00');
    expect(numberText('12345678901234')).toBe('12345678901234');
    expect(numberText('4.4000000000000004')).toBe('4.4');
    expect(numberText('1E-3')).toBe('0.001');
    expect(numberText('-0.5')).toBe('-0.5');
    expect(numberText('abc')).toBe('abc');
  });
});
