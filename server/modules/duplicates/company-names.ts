/**
 * How two spellings of a company are recognised as one: its name without case, accents,
 * punctuation or legal form ("Dubuque, Inc." and "DuBuque Inc" are both `dubuque`), its
 * web domain (from a domain, a website or a business email address), and the trigram
 * similarity of the normalised names (the same measure as pg_trgm's `similarity`).
 */

/** Legal forms and their abbreviations, compared after punctuation is removed ("S.A." → "sa"). */
const LEGAL_FORMS = new Set([
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'ltd',
  'limited',
  'llc',
  'llp',
  'lp',
  'plc',
  'pllc',
  'gmbh',
  'mbh',
  'ag',
  'kg',
  'kgaa',
  'ohg',
  'ug',
  'ev',
  'sa',
  'sas',
  'sasu',
  'sarl',
  'eurl',
  'sl',
  'slu',
  'srl',
  'spa',
  'sapa',
  'snc',
  'se',
  'nv',
  'bv',
  'bvba',
  'cv',
  'oy',
  'oyj',
  'ab',
  'as',
  'asa',
  'aps',
  'pty',
  'pte',
  'pvt',
  'kk',
  'bhd',
  'sdn',
]);

/** Tokens of a name: lower case, no accents, no dots or apostrophes inside words, split on everything else. */
function tokens(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[.'’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * A company name as compared: "Dubuque, Inc." → "dubuque", "ACME Corp. Ltd" → "acme",
 * "Müller GmbH & Co. KG" → "muller", "The Widget Company" → "widget". Legal forms are
 * removed from the end (and a leading "the"), but never the whole name ("Inc" stays "inc").
 */
export function companyKey(name: string): string {
  const t = tokens(name);
  if (t.length > 1 && t[0] === 'the') t.shift();
  while (t.length > 1 && LEGAL_FORMS.has(t[t.length - 1] as string)) t.pop();
  return t.join(' ');
}

/** "https://www.Acme.com/about" and "acme.com" are the same company domain (as accounts normalise it). */
export function hostOf(value: string): string | null {
  const host = value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/?#:].*$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : null;
}

/** Mail providers anyone can use: an address there says nothing about the company. */
const FREE_MAIL = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.fr',
  'yahoo.co.uk',
  'ymail.com',
  'hotmail.com',
  'hotmail.fr',
  'hotmail.co.uk',
  'outlook.com',
  'outlook.fr',
  'live.com',
  'live.fr',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  't-online.de',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'zoho.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'mail.com',
  'orange.fr',
  'free.fr',
  'laposte.net',
  'sfr.fr',
  'wanadoo.fr',
  'libero.it',
  'qq.com',
  '163.com',
  '126.com',
  'fastmail.com',
  'hey.com',
  'tutanota.com',
]);

/** The company domain of a business email address (null for free mail providers). */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  const host = hostOf(email.slice(at + 1));
  return host && !FREE_MAIL.has(host) ? host : null;
}

/** Second-level suffixes under which a registrable name has three labels (acme.co.uk). */
const SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'ltd', 'plc', 'ne', 'or', 'gv']);

/** A host and its parent domains down to the registrable one: "eu.sales.acme.co.uk" → […, "acme.co.uk"]. */
export function domainAndParents(host: string): string[] {
  const labels = host.split('.');
  const tld = labels.length >= 3 && SECOND_LEVEL.has(labels[labels.length - 2] as string) ? 3 : 2;
  const out: string[] = [];
  for (let i = 0; labels.length - i >= tld; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/** pg_trgm's trigrams of a string: each word padded with two spaces before and one after. */
function trigrams(s: string): Set<string> {
  const out = new Set<string>();
  for (const word of s.split(/[^\p{L}\p{N}]+/u).filter(Boolean)) {
    const w = `  ${word} `;
    for (let i = 0; i + 3 <= w.length; i++) out.add(w.slice(i, i + 3));
  }
  return out;
}

/** Trigram similarity 0–1 of two (normalised) names, as pg_trgm's `similarity`. */
export function nameSimilarity(a: string, b: string): number {
  const x = trigrams(a);
  const y = trigrams(b);
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const g of x) if (y.has(g)) common++;
  return common / (x.size + y.size - common);
}
