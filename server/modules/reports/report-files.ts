import { strToU8, zipSync } from 'fflate';
import type { TReportCell, TReportColumn, TReportResult } from '../../../common/contracts/reports';
import { csvLine } from '../../platform/http/csv';

type Cell =
  | { kind: 'text'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'date'; value: string }
  | null;

/**
 * A report as a table of cells for files: a group's value by its label (a select's
 * option, a person's name), a date bucket as a date, a money measure as an amount
 * column and a currency column (amounts of several currencies joined by "; ").
 */
function table(result: TReportResult): { headers: string[]; rows: Cell[][] } {
  const headers: string[] = [];
  const getters: ((row: Record<string, TReportCell>) => Cell)[] = [];
  for (const c of result.columns) {
    headers.push(c.label);
    getters.push((row) => cellOf(c, row[c.name]));
    if (c.type === 'money') {
      headers.push(`${c.label} currency`);
      getters.push((row) => {
        const v = row[c.name];
        const list = v == null ? [] : Array.isArray(v) ? v : typeof v === 'object' ? [v] : [];
        return list.length ? { kind: 'text', value: list.map((m) => m.currency).join('; ') } : null;
      });
    }
  }
  return { headers, rows: result.rows.map((row) => getters.map((g) => g(row))) };
}

function cellOf(c: TReportColumn, v: TReportCell | undefined): Cell {
  if (v == null) return null;
  if (Array.isArray(v)) return { kind: 'text', value: v.map((m) => m.amount).join('; ') };
  if (typeof v === 'object') return { kind: 'number', value: v.amount };
  if (typeof v === 'boolean') return { kind: 'text', value: v ? 'Yes' : 'No' };
  if (c.role === 'group') {
    if (c.bucket || c.type === 'date') return { kind: 'date', value: String(v) };
    return { kind: 'text', value: c.labels?.[String(v)] ?? String(v) };
  }
  if (typeof v === 'number' || c.type === 'decimal') return { kind: 'number', value: String(v) };
  if (c.type === 'date') return { kind: 'date', value: String(v) };
  return { kind: 'text', value: String(v) };
}

/** The report as CSV (UTF-8 with a byte order mark; formula-like text neutralised as in every export). */
export function reportCsv(result: TReportResult): string {
  const { headers, rows } = table(result);
  const lines = [csvLine(headers), ...rows.map((r) => csvLine(r.map((c) => c?.value ?? null)))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // Characters XML 1.0 cannot hold.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

const colName = (i: number): string => {
  let n = i + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
};

/** Days since 1899-12-30 (the spreadsheet date serial) of a YYYY-MM-DD date. */
const serial = (date: string) => {
  const t = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(t) ? null : Math.round((t - Date.UTC(1899, 11, 30)) / 86_400_000);
};

/** A sheet's name as spreadsheets allow it (31 characters, none of \\ / ? * [ ] :), unique in its book. */
function sheetNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((n, i) => {
    let name =
      n
        .replace(/[\\/?*[\]:]/g, ' ')
        .trim()
        .slice(0, 31) || `Sheet ${i + 1}`;
    if (used.has(name.toLowerCase())) name = `${name.slice(0, 26)} (${i + 1})`;
    used.add(name.toLowerCase());
    return name;
  });
}

function sheetXml(result: TReportResult): string {
  const { headers, rows } = table(result);
  const xmlRow = (r: number, cells: Cell[]) =>
    `<row r="${r}">${cells
      .map((c, i) => {
        const ref = `${colName(i)}${r}`;
        if (!c) return '';
        if (c.kind === 'number' && /^-?\d+(\.\d+)?$/.test(c.value)) return `<c r="${ref}"><v>${c.value}</v></c>`;
        if (c.kind === 'date') {
          const n = serial(c.value);
          if (n !== null) return `<c r="${ref}" s="1"><v>${n}</v></c>`;
        }
        return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${esc(c.value)}</t></is></c>`;
      })
      .join('')}</row>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${[
    xmlRow(
      1,
      headers.map((h) => ({ kind: 'text', value: h })),
    ),
    ...rows.map((r, i) => xmlRow(i + 2, r)),
  ].join('')}</sheetData></worksheet>`;
}

/**
 * Reports as an XLSX workbook, one sheet each (a minimal Office Open XML package written
 * with fflate): text as inline strings (never formulas), numbers as real number cells
 * holding the exact decimal, dates as date cells.
 */
export function reportWorkbook(sheets: { name: string; result: TReportResult }[]): Uint8Array {
  const names = sheetNames(sheets.map((s) => s.name));
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheets
      .map(
        (_, i) =>
          `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
      )
      .join(
        '',
      )}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`),
    '_rels/.rels': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    'xl/workbook.xml': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${names
      .map((n, i) => `<sheet name="${esc(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('')}</sheets></workbook>`),
    'xl/_rels/workbook.xml.rels': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
      .map(
        (_, i) =>
          `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
      )
      .join(
        '',
      )}<Relationship Id="rId${sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`),
    'xl/styles.xml': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`),
  };
  sheets.forEach((s, i) => {
    files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(sheetXml(s.result));
  });
  return zipSync(files);
}

/** One report as an XLSX workbook of one sheet. */
export function reportXlsx(result: TReportResult, sheetName = 'Report'): Uint8Array {
  return reportWorkbook([{ name: sheetName, result }]);
}
