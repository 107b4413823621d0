import { inflateSync } from 'node:zlib';

/**
 * The text drawn in a PDF made by pdfkit with its standard fonts: every content stream
 * is inflated and the strings of its TJ/Tj operators are decoded (hex, WinAnsi).
 * Strings drawn together become one line. Enough to check what a generated PDF says.
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const lines: string[] = [];
  const streamRe = /<<([\s\S]*?)>>\s*stream\r?\n/g;
  for (let m = streamRe.exec(raw); m; m = streamRe.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    let body = Buffer.from(raw.slice(start, end), 'latin1');
    if (/FlateDecode/.test(m[1] ?? '')) {
      try {
        body = inflateSync(body);
      } catch {
        continue;
      }
    }
    const content = body.toString('latin1');
    const opRe = /\[((?:<[0-9a-fA-F]*>|\([^)]*\)|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj|\(([^)]*)\)\s*Tj/g;
    for (let o = opRe.exec(content); o; o = opRe.exec(content)) {
      if (o[1] !== undefined) {
        const parts = [...o[1].matchAll(/<([0-9a-fA-F]*)>|\(([^)]*)\)/g)].map((p) =>
          p[1] !== undefined ? Buffer.from(p[1], 'hex').toString('latin1') : (p[2] ?? ''),
        );
        lines.push(parts.join(''));
      } else if (o[2] !== undefined) lines.push(Buffer.from(o[2], 'hex').toString('latin1'));
      else lines.push(o[3] ?? '');
    }
  }
  return lines.join('\n');
}
