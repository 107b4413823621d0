/**
 * The content type of an inbound attachment, from its first bytes (never the sender's
 * header): a small table of the formats people send to support, plain text, and
 * application/octet-stream for everything else. Text is never reported as HTML or SVG
 * (served back, those would run script in the app's origin).
 */

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

const startsWith = (buf: Buffer, bytes: number[], at = 0) =>
  buf.length >= at + bytes.length && bytes.every((b, i) => buf[at + i] === b);

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** Declared text types kept when the content is text (anything else textual becomes text/plain). */
const TEXT_TYPES = new Set(['text/plain', 'text/csv', 'text/calendar', 'text/vcard']);

/** The sniffed content type of `content`; `declared` only picks among safe text types for text content. */
export function sniffContentType(content: Buffer, declared?: string): string {
  if (startsWith(content, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(content, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(content, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(content, ascii('GIF87a')) || startsWith(content, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(content, ascii('RIFF')) && startsWith(content, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(content, [0x50, 0x4b, 0x03, 0x04]) || startsWith(content, [0x50, 0x4b, 0x05, 0x06])) {
    // Office Open XML files are zip archives; their part names sit in the local headers.
    const names = content.subarray(0, Math.min(content.length, 64 * 1024)).toString('latin1');
    if (names.includes('word/')) return DOCX;
    if (names.includes('xl/')) return XLSX;
    if (names.includes('ppt/')) return PPTX;
    return 'application/zip';
  }
  if (isText(content)) {
    const type = declared?.split(';')[0]?.trim().toLowerCase();
    return type && TEXT_TYPES.has(type) ? type : 'text/plain';
  }
  return 'application/octet-stream';
}

/** UTF-8 (or ASCII) without NUL or other binary control bytes in its first 8 KB. */
function isText(content: Buffer): boolean {
  const head = content.subarray(0, 8192);
  for (const b of head) {
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b)) return false;
  }
  // Cut at a character boundary: a multi-byte sequence split at 8 KB is not an error.
  let end = head.length;
  if (content.length > head.length) while (end > 0 && ((head[end - 1] ?? 0) & 0xc0) === 0x80) end--;
  if (end > 0 && content.length > head.length && (head[end - 1] ?? 0) >= 0xc0) end--;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}
