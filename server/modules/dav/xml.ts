import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../platform/http/errors';

/** WebDAV and its extensions' namespaces. */
export const NS = {
  dav: 'DAV:',
  carddav: 'urn:ietf:params:xml:ns:carddav',
  caldav: 'urn:ietf:params:xml:ns:caldav',
  cs: 'http://calendarserver.org/ns/',
  apple: 'http://apple.com/ns/ical/',
} as const;

/** An element with its namespace resolved: `{DAV:}propfind`. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const q = (ns: string, local: string) => `{${ns}}${local}`;
export const dav = (local: string) => q(NS.dav, local);
export const card = (local: string) => q(NS.carddav, local);
export const cal = (local: string) => q(NS.caldav, local);
export const cs = (local: string) => q(NS.cs, local);

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const MAX_XML = 1_000_000;

/** Parses a request body; 400 naming the problem for anything that is not well-formed XML with known prefixes. */
export function parseXml(text: string): XmlNode {
  if (text.length > MAX_XML) throw new AppError('payload_too_large', 'The XML body is larger than 1 MB');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new AppError('malformed_request', 'XML with a DOCTYPE is not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new AppError(
      'malformed_request',
      `The body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`,
    );
  }
  const raw = parser.parse(text) as RawNode[];
  const roots = raw.map((n) => convert(n, {})).filter((n): n is XmlNode => n !== null);
  const root = roots[0];
  if (!root || roots.length > 1) throw new AppError('malformed_request', 'The XML body must have one root element');
  return root;
}

type RawNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function convert(raw: RawNode, scope: Record<string, string>): XmlNode | null {
  const tag = Object.keys(raw).find((k) => k !== ':@');
  if (!tag || tag === '#text' || tag.startsWith('?') || tag.startsWith('!')) return null;
  const attrs = raw[':@'] ?? {};
  const inner: Record<string, string> = { ...scope };
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'xmlns') inner[''] = v;
    else if (k.startsWith('xmlns:')) inner[k.slice(6)] = v;
  }
  const colon = tag.indexOf(':');
  const prefix = colon >= 0 ? tag.slice(0, colon) : '';
  const local = colon >= 0 ? tag.slice(colon + 1) : tag;
  const ns = inner[prefix];
  if (ns === undefined && prefix !== '') {
    throw new AppError('malformed_request', `The XML prefix "${prefix}" is not declared`);
  }
  const children: XmlNode[] = [];
  let text = '';
  for (const child of (raw[tag] as RawNode[]) ?? []) {
    if ('#text' in child) text += String(child['#text']);
    else {
      const c = convert(child, inner);
      if (c) children.push(c);
    }
  }
  return { name: ns ? q(ns, local) : local, attrs, children, text };
}

export const child = (node: XmlNode | undefined, name: string) => node?.children.find((c) => c.name === name);
export const children = (node: XmlNode | undefined, name: string) =>
  node?.children.filter((c) => c.name === name) ?? [];

/** Escapes text for an XML element or attribute. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const PREFIXES: Record<string, string> = {
  [NS.dav]: 'd',
  [NS.carddav]: 'card',
  [NS.caldav]: 'cal',
  [NS.cs]: 'cs',
  [NS.apple]: 'ical',
};

/** `{ns}local` → `prefix:local` with our fixed prefixes (unknown namespaces get an inline xmlns). */
export function tag(name: string): { open: string; close: string } {
  const m = /^\{([^}]*)\}(.+)$/.exec(name);
  if (!m) return { open: name, close: name };
  const [, ns = '', local = ''] = m;
  const prefix = PREFIXES[ns];
  if (prefix) return { open: `${prefix}:${local}`, close: `${prefix}:${local}` };
  return { open: `x:${local} xmlns:x="${esc(ns)}"`, close: `x:${local}` };
}

/** An element holding raw XML (already escaped) or nothing. */
export function el(name: string, inner = ''): string {
  const t = tag(name);
  return inner === '' ? `<${t.open}/>` : `<${t.open}>${inner}</${t.close}>`;
}

export const XML_HEAD =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  `<d:multistatus xmlns:d="DAV:" xmlns:card="${NS.carddav}" xmlns:cal="${NS.caldav}" xmlns:cs="${NS.cs}" xmlns:ical="${NS.apple}">`;

/** A property value: raw XML (already escaped), or null when the resource does not have it (404 propstat). */
export type PropValue = string | null;

/** One `<d:response>` of a multistatus: found properties as 200, missing ones as 404. */
export function response(href: string, props: Map<string, PropValue>): string {
  const found: string[] = [];
  const missing: string[] = [];
  for (const [name, value] of props) {
    if (value === null) missing.push(el(name));
    else found.push(el(name, value));
  }
  const stat = (list: string[], status: string) =>
    list.length
      ? `<d:propstat><d:prop>${list.join('')}</d:prop><d:status>HTTP/1.1 ${status}</d:status></d:propstat>`
      : '';
  return `<d:response><d:href>${esc(href)}</d:href>${stat(found, '200 OK')}${stat(missing, '404 Not Found')}</d:response>`;
}

/** A `<d:response>` with a status only (a member that is gone). */
export const statusResponse = (href: string, status: string) =>
  `<d:response><d:href>${esc(href)}</d:href><d:status>HTTP/1.1 ${status}</d:status></d:response>`;

export const multistatus = (parts: string[], extra = '') => `${XML_HEAD}${parts.join('')}${extra}</d:multistatus>`;

/** A WebDAV error body with a precondition element (RFC 4918 §16). */
export const davError = (condition: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:card="${NS.carddav}" xmlns:cal="${NS.caldav}">${el(condition)}</d:error>`;
