import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource, readRows, type SourceRow } from './reader';

// A UTF-8 CSV read on from a row's byte offset (how a handed-over or crashed import resumes)
// gives exactly the rows a read from the start gives after that row: quoted newlines,
// multi-byte characters, a byte order mark, blank and malformed lines included.

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-csv-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function all(file: string, from?: { offset: number; row: number }) {
  let header: string[] | null = null;
  const rows: SourceRow[] = [];
  for await (const item of readRows('csv', fileSource(file, 64), from)) {
    if ('header' in item) header = item.header;
    else rows.push(item);
  }
  return { header, rows };
}

describe('CSV read on from a byte offset', () => {
  it('resumes after any row with the same rows, numbers and offsets as a read from the start', async () => {
    const lines = ['\uFEFFName;Note;City'];
    for (let i = 0; i < 40; i++) {
      if (i === 7) lines.push('');
      if (i === 13) lines.push('Bro"ken;x;Lyon');
      lines.push(i % 5 === 0 ? `Zoë ${i};"two\nlines; ""quoted""";Köln` : `Ana ${i};plain ${i};Paris`);
    }
    const file = path.join(dir, 'resume.csv');
    fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    const whole = await all(file);
    expect(whole.header).toEqual(['Name', 'Note', 'City']);
    expect(whole.rows).toHaveLength(41);
    expect(whole.rows[0]).toMatchObject({
      row: 2,
      values: { Name: 'Zoë 0', Note: 'two\nlines; "quoted"', City: 'Köln' },
    });
    // The malformed line is a row in its place (the parser runs ahead of the reader).
    const bad = whole.rows.findIndex((r) => r.error);
    expect(whole.rows[bad]?.error).toMatch(/^malformed CSV: Invalid Opening Quote/);
    expect(whole.rows.slice(bad - 1, bad + 2).map((r) => [r.row, r.values.Name])).toEqual([
      [14, 'Ana 12'],
      [15, undefined],
      [16, 'Ana 13'],
    ]);
    // The offsets are the file's bytes: each one is where the next row's text starts.
    const bytes = fs.readFileSync(file);
    const second = whole.rows[1] as SourceRow;
    expect(bytes.subarray(whole.rows[0]?.end, second.end).toString('utf8')).toBe('Ana 1;plain 1;Paris\r\n');
    for (const [i, r] of whole.rows.entries()) {
      if (r.end === undefined) continue;
      const resumed = await all(file, { offset: r.end, row: r.row });
      expect(resumed.header).toEqual(whole.header);
      expect(resumed.rows).toEqual(whole.rows.slice(i + 1));
    }
  });

  it('gives no offsets for a file in another encoding (read from the start on resume)', async () => {
    const file = path.join(dir, 'latin.csv');
    fs.writeFileSync(file, Buffer.from('Name,City\nM\xfcller,K\xf6ln\n', 'latin1'));
    const { rows } = await all(file);
    expect(rows).toEqual([{ row: 2, values: { Name: 'Müller', City: 'Köln' } }]);
  });
});
