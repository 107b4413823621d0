import iconv from 'iconv-lite';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * vCard reading and writing, one place for every user (the contact export route, the
 * import of .vcf files, CardDAV): `parseVCards(text)` reads vCard 2.1, 3.0 and 4.0 (several
 * cards per file, folded lines, quoted-printable, CHARSET parameters, photos), and
 * `toVCard(contact, { version })` writes one contact as vCard 4.0 (RFC 6350) or 3.0
 * (RFC 2426). `contactFromVCard(card)` turns a parsed card into contact fields; what
 * Rapport has no field for stays in `card.extra` (raw property lines), so a writer can
 * keep it.
 */

export type VCardVersion = '2.1' | '3.0' | '4.0';

export interface VCardValue {
  value: string;
  /** TYPE parameters, lower-cased (work, home, cell, voice, pref…). */
  types: string[];
  /** The property line as read (unfolded), so a writer can keep it unchanged. */
  raw: string;
}

export interface VCardAddress {
  types: string[];
  /** The property line as read (unfolded). */
  raw: string;
  poBox: string;
  extended: string;
  street: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export interface ParsedVCard {
  version: VCardVersion;
  uid: string | null;
  fn: string | null;
  /** N: family; given; additional; prefixes; suffixes. */
  name: { family: string; given: string; additional: string; prefix: string; suffix: string } | null;
  emails: VCardValue[];
  phones: VCardValue[];
  addresses: VCardAddress[];
  /** ORG: the organisation, then its units. */
  org: string[];
  title: string | null;
  role: string | null;
  /** As written (2.1/3.0: 1985-04-12 or 19850412; 4.0 also --0412). */
  birthday: string | null;
  note: string | null;
  urls: string[];
  categories: string[];
  /** The photo as a data: URI (inline) or a link. */
  photo: string | null;
  rev: string | null;
  /** Properties this reader does not map, as unfolded lines (kept for writing back). */
  extra: string[];
  /** Every property line of the card but VERSION, unfolded, in order (for `contactFromVCard`'s `kept`). */
  lines: string[];
}

/** A contact as Rapport stores it (the record's fields; `accountName` is the linked account's name). */
export interface VCardContact {
  id?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  emails?: { value: string; label?: string | null }[] | null;
  phone?: string | null;
  phones?: { value: string; label?: string | null }[] | null;
  title?: string | null;
  department?: string | null;
  accountName?: string | null;
  address?: {
    street?: string | null;
    city?: string | null;
    region?: string | null;
    postalCode?: string | null;
    country?: string | null;
  } | null;
  birthday?: string | null;
  description?: string | null;
  updatedAt?: string | null;
  /** Properties kept from a card written by a client (ParsedVCard.extra), written back as they were. */
  extra?: string[] | null;
}

// ---------------------------------------------------------------- writing

/** Escapes a text value (RFC 6350 §3.4): backslash, comma, semicolon, newline. */
export function escapeText(v: string): string {
  return v
    .replace(/\\/g, '\\\\')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds a content line at 75 octets, never inside a UTF-8 character (RFC 6350 §3.2). */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  let limit = 75;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > limit) {
      out.push(current);
      current = '';
      bytes = 0;
      limit = 74; // continuation lines start with a space
    }
    current += ch;
    bytes += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

const LABEL_TYPES: Record<string, string> = {
  work: 'work',
  home: 'home',
  mobile: 'cell',
  cell: 'cell',
  fax: 'fax',
  pager: 'pager',
  other: '',
};

const typeParam = (version: VCardVersion, types: string[]) => {
  const t = types.filter(Boolean);
  if (t.length === 0) return '';
  return version === '4.0' ? `;TYPE=${t.length > 1 ? `"${t.join(',')}"` : t[0]}` : `;TYPE=${t.join(',')}`;
};

const labelTypes = (label: string | null | undefined): string[] => {
  const key = (label ?? '').trim().toLowerCase();
  if (!key) return [];
  const known = LABEL_TYPES[key];
  return known === undefined ? [] : [known];
};

/** Dates: 4.0 in the basic format (19850412), 3.0 in the extended one (1985-04-12). */
const bday = (d: string, version: VCardVersion) => (version === '4.0' ? d.replace(/-/g, '') : d);

/** One contact as a vCard (CRLF lines, folded), 4.0 by default. */
export function toVCard(contact: VCardContact, opts: { version?: '4.0' | '3.0'; uid?: string } = {}): string {
  const version = opts.version ?? '4.0';
  const lines: string[] = ['BEGIN:VCARD', `VERSION:${version}`];
  const first = contact.firstName?.trim() ?? '';
  const last = contact.lastName?.trim() ?? '';
  const fn = [first, last].filter(Boolean).join(' ') || contact.email || contact.accountName || 'Unnamed';
  if (version === '4.0') lines.push('KIND:individual');
  lines.push(`FN:${escapeText(fn)}`);
  lines.push(`N:${escapeText(last)};${escapeText(first)};;;`);
  // UID: the contact's id, or the one a client gave the card (opts.uid), as it gave it.
  const uid = opts.uid ?? contact.id;
  if (uid) {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uid);
    lines.push(version === '4.0' && uuid ? `UID:urn:uuid:${uid}` : `UID:${uuid ? uid : escapeText(uid)}`);
  }
  const emails = [
    ...(contact.email ? [{ value: contact.email, label: null as string | null | undefined, pref: true }] : []),
    ...(contact.emails ?? []).map((e) => ({ ...e, pref: false })),
  ];
  for (const e of emails) {
    const types: string[] = labelTypes(e.label).filter((t) => t === 'work' || t === 'home');
    if (version === '3.0') types.unshift('internet');
    const pref = e.pref ? (version === '4.0' ? ';PREF=1' : '') : '';
    const prefType = e.pref && version === '3.0' ? ['pref'] : [];
    lines.push(`EMAIL${typeParam(version, [...types, ...prefType])}${pref}:${escapeText(e.value)}`);
  }
  const phones = [
    ...(contact.phone ? [{ value: contact.phone, label: null as string | null | undefined, pref: true }] : []),
    ...(contact.phones ?? []).map((p) => ({ ...p, pref: false })),
  ];
  for (const p of phones) {
    const types = labelTypes(p.label);
    if (version === '4.0') {
      types.push('voice');
      lines.push(`TEL;VALUE=uri${typeParam(version, types)}${p.pref ? ';PREF=1' : ''}:tel:${p.value}`);
    } else {
      if (p.pref) types.push('pref');
      lines.push(`TEL${typeParam(version, types.length ? types : ['voice'])}:${p.value}`);
    }
  }
  if (contact.accountName || contact.department) {
    const org = [contact.accountName ?? '', ...(contact.department ? [contact.department] : [])];
    lines.push(`ORG:${org.map(escapeText).join(';')}`);
  }
  if (contact.title) lines.push(`TITLE:${escapeText(contact.title)}`);
  const a = contact.address;
  if (a && (a.street || a.city || a.region || a.postalCode || a.country)) {
    const parts = ['', '', a.street ?? '', a.city ?? '', a.region ?? '', a.postalCode ?? '', a.country ?? ''];
    lines.push(`ADR${typeParam(version, ['work'])}:${parts.map(escapeText).join(';')}`);
  }
  if (contact.birthday) lines.push(`BDAY:${bday(contact.birthday, version)}`);
  if (contact.description) lines.push(`NOTE:${escapeText(contact.description)}`);
  if (contact.updatedAt) {
    const rev = new Date(contact.updatedAt)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    lines.push(`REV:${rev}`);
  }
  lines.push('PRODID:-//Rapport//Rapport CRM//EN');
  for (const x of contact.extra ?? []) {
    const name = propertyName(x);
    if (name && !WRITTEN.has(name)) lines.push(x);
  }
  lines.push('END:VCARD');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

/** Properties every card gets from `toVCard` itself; an `extra` line for one of them is dropped. */
const WRITTEN = new Set(['BEGIN', 'END', 'VERSION', 'KIND', 'FN', 'N', 'UID', 'REV', 'PRODID']);

const propertyName = (line: string) =>
  /^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]/.exec(line)?.[1]?.toUpperCase() ?? null;

/** A jCard property: [name, parameters, value type, value]. */
export type JCardProperty = [string, Record<string, string | string[]>, string, string | string[]];

/** One contact as jCard (RFC 7095): the same properties as `toVCard` writes in 4.0, as JSON. */
export function toJCard(contact: VCardContact): ['vcard', JCardProperty[]] {
  const props: JCardProperty[] = [['version', {}, 'text', '4.0']];
  const first = contact.firstName?.trim() ?? '';
  const last = contact.lastName?.trim() ?? '';
  const fn = [first, last].filter(Boolean).join(' ') || contact.email || contact.accountName || 'Unnamed';
  props.push(['kind', {}, 'text', 'individual'], ['fn', {}, 'text', fn], ['n', {}, 'text', [last, first, '', '', '']]);
  if (contact.id) props.push(['uid', {}, 'uri', `urn:uuid:${contact.id}`]);
  if (contact.email) props.push(['email', { pref: '1' }, 'text', contact.email]);
  for (const e of contact.emails ?? []) {
    const types = labelTypes(e.label).filter((t) => t === 'work' || t === 'home');
    props.push(['email', types.length ? { type: types } : {}, 'text', e.value]);
  }
  if (contact.phone) props.push(['tel', { type: ['voice'], pref: '1' }, 'uri', `tel:${contact.phone}`]);
  for (const p of contact.phones ?? [])
    props.push(['tel', { type: [...labelTypes(p.label), 'voice'] }, 'uri', `tel:${p.value}`]);
  if (contact.accountName || contact.department) {
    props.push(['org', {}, 'text', [contact.accountName ?? '', ...(contact.department ? [contact.department] : [])]]);
  }
  if (contact.title) props.push(['title', {}, 'text', contact.title]);
  const a = contact.address;
  if (a && (a.street || a.city || a.region || a.postalCode || a.country)) {
    const parts = ['', '', a.street ?? '', a.city ?? '', a.region ?? '', a.postalCode ?? '', a.country ?? ''];
    props.push(['adr', { type: 'work' }, 'text', parts]);
  }
  if (contact.birthday) props.push(['bday', {}, 'date', contact.birthday]);
  if (contact.description) props.push(['note', {}, 'text', contact.description]);
  if (contact.updatedAt) {
    props.push(['rev', {}, 'timestamp', new Date(contact.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z')]);
  }
  return ['vcard', props];
}

/** Several contacts in one file. */
export function toVCards(contacts: VCardContact[], opts: { version?: '4.0' | '3.0' } = {}): string {
  return contacts.map((c) => toVCard(c, opts)).join('');
}

// ---------------------------------------------------------------- reading

export class VCardError extends Error {
  override name = 'VCardError';
}

interface RawProperty {
  group: string | null;
  name: string;
  params: Map<string, string[]>;
  value: string;
  /** The value's raw bytes decoded (quoted-printable) or as written. */
  raw: string;
}

/** Text from bytes: UTF-8 (with or without a BOM) when valid, else Windows-1252 (older exports). */
export function decodeText(input: string | Uint8Array): string {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  const buf = Buffer.from(input);
  if (buf[0] === 0xff && buf[1] === 0xfe) return iconv.decode(buf, 'utf-16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf, 'utf-16be');
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(buf);
  if (!utf8.includes('\uFFFD')) return utf8.replace(/^\uFEFF/, '');
  return iconv.decode(buf, 'win1252');
}

/** Unfolds content lines; joins quoted-printable soft line breaks (a line ending in "="). */
function unfold(text: string): string[] {
  const physical = text.split(/\r\n|\r|\n/);
  const lines: string[] = [];
  for (const line of physical) {
    const prev = lines.length - 1;
    if ((line.startsWith(' ') || line.startsWith('\t')) && prev >= 0) {
      // vCard 2.1 folds keep the whitespace as part of the value; 3.0/4.0 drop one character.
      lines[prev] += line.slice(1);
      continue;
    }
    if (prev >= 0 && isQuotedPrintable(lines[prev] as string) && (lines[prev] as string).endsWith('=')) {
      lines[prev] = (lines[prev] as string).slice(0, -1) + line;
      continue;
    }
    lines.push(line);
  }
  return lines.filter((l) => l.trim() !== '');
}

const isQuotedPrintable = (line: string) => {
  const colon = line.indexOf(':');
  const head = colon < 0 ? line : line.slice(0, colon);
  return /;\s*(ENCODING=)?QUOTED-PRINTABLE/i.test(head);
};

function splitParams(head: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of head) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseLine(line: string): RawProperty | null {
  // The value starts at the first colon outside double quotes.
  let quoted = false;
  let colon = -1;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return null;
  const [nameWithGroup = '', ...paramParts] = splitParams(line.slice(0, colon));
  const dot = nameWithGroup.lastIndexOf('.');
  const group = dot >= 0 ? nameWithGroup.slice(0, dot) : null;
  const name = (dot >= 0 ? nameWithGroup.slice(dot + 1) : nameWithGroup).trim().toUpperCase();
  if (!/^[A-Z0-9-]+$/.test(name)) return null;
  const params = new Map<string, string[]>();
  for (const p of paramParts) {
    const eq = p.indexOf('=');
    // vCard 2.1 writes bare types (TEL;WORK;VOICE) and bare encodings (;QUOTED-PRINTABLE).
    const key = (eq < 0 ? bareParamName(p) : p.slice(0, eq)).trim().toUpperCase();
    const rawValue = eq < 0 ? p : p.slice(eq + 1);
    const values = rawValue
      .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
      .map((v) => v.trim().replace(/^"|"$/g, ''))
      .filter(Boolean);
    params.set(key, [...(params.get(key) ?? []), ...values]);
  }
  const value = line.slice(colon + 1);
  return { group, name, params, value, raw: line };
}

const bareParamName = (p: string) => {
  const v = p.trim().toUpperCase();
  if (['QUOTED-PRINTABLE', 'BASE64', '8BIT', '7BIT', 'B'].includes(v)) return 'ENCODING';
  return 'TYPE';
};

/** Decodes quoted-printable to bytes, then to text in the property's charset. */
function decodeQuotedPrintable(value: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
    }
  }
  const enc = iconv.encodingExists(charset) ? charset : 'utf-8';
  return iconv.decode(Buffer.from(bytes), enc);
}

/** Splits a structured value on unescaped `sep`, keeping escapes for unescapeText. */
function splitUnescaped(value: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '\\' && i + 1 < value.length) {
      cur += ch + value[i + 1];
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function unescapeText(v: string): string {
  return v.replace(/\\([\\,;nN:])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

const types = (p: RawProperty) =>
  (p.params.get('TYPE') ?? []).flatMap((t) => t.split(',')).map((t) => t.trim().toLowerCase());

function textValue(p: RawProperty): string {
  const encoding = (p.params.get('ENCODING')?.[0] ?? '').toUpperCase();
  const charset = p.params.get('CHARSET')?.[0] ?? 'utf-8';
  if (encoding === 'QUOTED-PRINTABLE') return decodeQuotedPrintable(p.value, charset);
  return p.value;
}

const emptyCard = (version: VCardVersion): ParsedVCard => ({
  version,
  uid: null,
  fn: null,
  name: null,
  emails: [],
  phones: [],
  addresses: [],
  org: [],
  title: null,
  role: null,
  birthday: null,
  note: null,
  urls: [],
  categories: [],
  photo: null,
  rev: null,
  extra: [],
  lines: [],
});

/**
 * Every card in a .vcf file (text, or bytes in UTF-8, UTF-16 or Windows-1252). Throws
 * VCardError naming the line for a file that is not vCard (no BEGIN:VCARD, a card never
 * ended, a version this reader does not know).
 */
export function parseVCards(input: string | Uint8Array): ParsedVCard[] {
  const lines = unfold(decodeText(input));
  const cards: ParsedVCard[] = [];
  let props: RawProperty[] | null = null;
  let startLine = 0;
  for (const [n, line] of lines.entries()) {
    const p = parseLine(line);
    if (!p) {
      if (props) continue; // a stray line inside a card: skipped, like clients do
      throw new VCardError(`line ${n + 1}: not a vCard property`);
    }
    if (p.name === 'BEGIN' && p.value.trim().toUpperCase() === 'VCARD') {
      if (props) throw new VCardError(`line ${n + 1}: BEGIN:VCARD inside the card that starts on line ${startLine}`);
      props = [];
      startLine = n + 1;
      continue;
    }
    if (p.name === 'END' && p.value.trim().toUpperCase() === 'VCARD') {
      if (!props) throw new VCardError(`line ${n + 1}: END:VCARD without BEGIN:VCARD`);
      cards.push(buildCard(props, startLine));
      props = null;
      continue;
    }
    if (!props) throw new VCardError(`line ${n + 1}: a property outside BEGIN:VCARD … END:VCARD`);
    props.push(p);
  }
  if (props) throw new VCardError(`the card that starts on line ${startLine} has no END:VCARD`);
  if (cards.length === 0) throw new VCardError('no BEGIN:VCARD in the file');
  return cards;
}

function buildCard(props: RawProperty[], startLine: number): ParsedVCard {
  const v = props.find((p) => p.name === 'VERSION')?.value.trim() ?? '3.0';
  if (v !== '2.1' && v !== '3.0' && v !== '4.0') {
    throw new VCardError(`the card that starts on line ${startLine} has VERSION ${v} (2.1, 3.0 or 4.0 expected)`);
  }
  const card = emptyCard(v);
  for (const p of props) {
    const text = textValue(p);
    if (p.name !== 'VERSION') card.lines.push(p.raw);
    switch (p.name) {
      case 'VERSION':
      case 'PRODID':
        break;
      case 'UID':
        card.uid = unescapeText(text).replace(/^urn:uuid:/i, '');
        break;
      case 'FN':
        card.fn = unescapeText(text).trim();
        break;
      case 'N': {
        const [family = '', given = '', additional = '', prefix = '', suffix = ''] = splitUnescaped(text, ';').map(
          (s) => unescapeText(s).trim(),
        );
        card.name = { family, given, additional, prefix, suffix };
        break;
      }
      case 'EMAIL':
        if (text.trim()) card.emails.push({ value: unescapeText(text).trim(), types: types(p), raw: p.raw });
        break;
      case 'TEL': {
        const value = unescapeText(text).trim().replace(/^tel:/i, '').replace(/;ext=/i, ' ext ');
        if (value) card.phones.push({ value, types: types(p), raw: p.raw });
        break;
      }
      case 'ADR': {
        const [poBox = '', extended = '', street = '', city = '', region = '', postalCode = '', country = ''] =
          splitUnescaped(text, ';').map((s) => unescapeText(s).trim());
        card.addresses.push({
          types: types(p),
          raw: p.raw,
          poBox,
          extended,
          street,
          city,
          region,
          postalCode,
          country,
        });
        break;
      }
      case 'ORG':
        card.org = splitUnescaped(text, ';')
          .map((s) => unescapeText(s).trim())
          .filter(Boolean);
        break;
      case 'TITLE':
        card.title = unescapeText(text).trim();
        break;
      case 'ROLE':
        card.role = unescapeText(text).trim();
        break;
      case 'BDAY':
        card.birthday = text.trim();
        break;
      case 'NOTE':
        card.note = unescapeText(text);
        break;
      case 'URL':
        card.urls.push(unescapeText(text).trim());
        break;
      case 'CATEGORIES':
        card.categories.push(
          ...splitUnescaped(text, ',')
            .map((s) => unescapeText(s).trim())
            .filter(Boolean),
        );
        break;
      case 'REV':
        card.rev = text.trim();
        break;
      case 'PHOTO': {
        const enc = (p.params.get('ENCODING')?.[0] ?? '').toUpperCase();
        if (enc === 'B' || enc === 'BASE64') {
          const type = (types(p)[0] ?? 'jpeg').replace(/^image\//, '');
          card.photo = `data:image/${type};base64,${p.value.replace(/\s+/g, '')}`;
        } else card.photo = p.value.trim();
        break;
      }
      default:
        card.extra.push(p.raw);
    }
  }
  return card;
}

/** A vCard birthday as a date YYYY-MM-DD, or null (no year, or not a date). */
export function vcardDate(v: string | null): string | null {
  if (!v) return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(v.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

const PHONE_LABEL: Record<string, string> = { cell: 'mobile', work: 'work', home: 'home', fax: 'fax' };

export interface ContactFromVCardOptions {
  /** Only these contact fields are mapped; the lines behind any other stay in `kept`. */
  only?: readonly string[];
  /**
   * Values a field cannot hold stay as lines in `kept` instead of going to the record
   * engine: a phone number that is not a valid international number (the others are
   * written in E.164), an address whose country is not an ISO code, every address but
   * the first. For a client that expects its card back (CardDAV); an import instead lets
   * the record engine report them.
   */
  keepUnholdable?: boolean;
}

/** Lines `toVCard` always writes itself; never kept. */
const NEVER_KEPT = new Set(['UID', 'REV', 'PRODID', 'KIND']);

/**
 * A parsed card as contact fields (the record engine validates them), with the
 * organisation's name for the caller to resolve to an account, and the card's lines
 * that were not mapped (`kept`: `card.extra`, and lines for fields left out), for a
 * writer to serve back with `toVCard({ ..., extra: kept })`.
 */
export function contactFromVCard(
  card: ParsedVCard,
  opts: ContactFromVCardOptions = {},
): {
  fields: Record<string, unknown>;
  accountName: string | null;
  kept: string[];
} {
  const wanted = (f: string) => !opts.only || opts.only.includes(f);
  // Clients keep at most 20 further addresses and numbers; beyond that, lines are kept as sent.
  const most = opts.keepUnholdable ? 21 : Number.POSITIVE_INFINITY;
  const used = new Set<string>();
  const fields: Record<string, unknown> = {};
  let first = card.name?.given ?? '';
  let last = card.name?.family ?? '';
  if (!first && !last && card.fn) {
    const parts = card.fn.split(/\s+/);
    last = parts.length > 1 ? (parts.pop() as string) : '';
    first = parts.join(' ');
  }
  if (wanted('firstName') || wanted('lastName')) {
    if (first && wanted('firstName')) fields.firstName = first;
    if (last && wanted('lastName')) fields.lastName = last;
    markAll(card, used, ['N', 'FN']);
  }
  const prefOrder = <T extends VCardValue>(l: T[]) =>
    [...l].sort((a, b) => Number(b.types.includes('pref')) - Number(a.types.includes('pref')));
  if (wanted('email')) {
    const emails = prefOrder(card.emails);
    if (emails[0]) fields.email = emails[0].value;
    if (emails.length > 1 && wanted('emails'))
      fields.emails = emails.slice(1, most).map((e) => {
        const label = opts.keepUnholdable ? e.types.find((t) => EMAIL_LABELS.has(t)) : undefined;
        return label ? { value: e.value, label } : { value: e.value };
      });
    for (const e of emails.slice(0, wanted('emails') ? most : 1)) used.add(e.raw);
  }
  if (wanted('phone')) {
    let list = card.phones;
    if (opts.keepUnholdable) {
      list = [];
      for (const p of card.phones) {
        const e164 = internationalPhone(p.value);
        if (e164) list.push({ ...p, value: e164 });
      }
    }
    const phones = prefOrder(list);
    if (phones[0]) fields.phone = phones[0].value;
    if (phones.length > 1 && wanted('phones'))
      fields.phones = phones.slice(1, most).map((p) => {
        const label = p.types.map((t) => PHONE_LABEL[t]).find(Boolean);
        return label ? { value: p.value, label } : { value: p.value };
      });
    for (const p of phones.slice(0, wanted('phones') ? most : 1)) used.add(p.raw);
  }
  if (card.title && wanted('title')) {
    fields.title = card.title;
    markAll(card, used, ['TITLE']);
  }
  if (card.org[1] && wanted('department')) fields.department = card.org[1];
  if (wanted('department') || wanted('accountName')) markAll(card, used, ['ORG']);
  const candidates = opts.keepUnholdable
    ? card.addresses.filter((x) => !x.country || /^[A-Za-z]{2}$/.test(x.country))
    : card.addresses;
  const a = candidates.find((x) => x.types.includes('pref')) ?? candidates[0];
  if (a && wanted('address')) {
    const street = [a.poBox, a.extended, a.street].filter(Boolean).join('\n');
    const country = /^[A-Za-z]{2}$/.test(a.country) ? a.country.toUpperCase() : null;
    fields.address = {
      street: street || null,
      city: a.city || null,
      region: a.region || null,
      postalCode: a.postalCode || null,
      country,
    };
    if (opts.keepUnholdable) used.add(a.raw);
    else for (const x of card.addresses) used.add(x.raw);
  }
  const birthday = vcardDate(card.birthday);
  if (birthday && wanted('birthday')) {
    fields.birthday = birthday;
    markAll(card, used, ['BDAY']);
  }
  if (card.note && wanted('description')) {
    fields.description = card.note;
    markAll(card, used, ['NOTE']);
  }
  const kept = card.lines.filter((l) => {
    const name = propertyName(l);
    return !used.has(l) && !(name && NEVER_KEPT.has(name));
  });
  return { fields, accountName: wanted('accountName') ? (card.org[0] ?? null) : null, kept };
}

const EMAIL_LABELS = new Set(['work', 'home']);

function markAll(card: ParsedVCard, used: Set<string>, names: string[]) {
  for (const l of card.lines) if (names.includes(propertyName(l) ?? '')) used.add(l);
}

/** A phone number in E.164 when it is a valid international one (00 taken as +), else null. */
export function internationalPhone(value: string): string | null {
  const parsed = parsePhoneNumberFromString(value.trim().replace(/^00/, '+'));
  return parsed?.isValid() ? (parsed.number as string) : null;
}
