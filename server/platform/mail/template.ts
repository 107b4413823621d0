/**
 * Mail templates: text with `{{ path.to.value }}` placeholders and one filter,
 * `{{ contact.firstName | default: "there" }}`. No code runs: a placeholder is a
 * dotted path looked up in plain data (own properties only), nothing else. In HTML
 * bodies every value is HTML-escaped; the template's own markup is kept as written.
 */

export interface TemplateProblem {
  message: string;
  /** 0-based character offset of the placeholder. */
  at: number;
}

type Part = { text: string } | { path: string[]; fallback?: string; at: number };

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const DEFAULT = /^default\s*:\s*"((?:[^"\\]|\\.)*)"$/;

/** Splits a template into text and placeholders, or reports the first problem. */
export function parseTemplate(src: string): { parts: Part[] } | { problem: TemplateProblem } {
  const parts: Part[] = [];
  let last = 0;
  for (const m of src.matchAll(PLACEHOLDER)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: src.slice(last, at) });
    last = at + m[0].length;
    const [expr = '', ...filters] = (m[1] ?? '').split('|').map((s) => s.trim());
    if (!PATH.test(expr)) return { problem: { message: `"${expr}" is not a variable like contact.firstName`, at } };
    if (filters.length > 1) return { problem: { message: 'only one filter (default) is supported', at } };
    let fallback: string | undefined;
    if (filters[0] !== undefined) {
      const d = filters[0].match(DEFAULT);
      if (!d) return { problem: { message: `unknown filter "${filters[0]}" (use default: "…")`, at } };
      fallback = (d[1] ?? '').replace(/\\(.)/g, '$1');
    }
    parts.push({ path: expr.split('.'), fallback, at });
  }
  const rest = src.slice(last);
  const open = rest.indexOf('{{');
  if (open >= 0) return { problem: { message: 'a "{{" is never closed with "}}"', at: last + open } };
  if (rest) parts.push({ text: rest });
  return { parts };
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function lookup(data: unknown, path: string[]): unknown {
  let v: unknown = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function display(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(display).join(', ');
  return ''; // objects have no text form: name a field inside them
}

/** Parsed templates by source, the most recently used kept: a campaign renders one template thousands of times. */
const parsedCache = new Map<string, Part[]>();
const PARSED_CACHE_SIZE = 64;

function parsedTemplate(src: string): Part[] {
  const hit = parsedCache.get(src);
  if (hit) return hit;
  const parsed = parseTemplate(src);
  if ('problem' in parsed) throw new Error(parsed.problem.message);
  if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.delete(parsedCache.keys().next().value as string);
  parsedCache.set(src, parsed.parts);
  return parsed.parts;
}

/** Renders a template; throws on a syntax problem (templates are checked when saved). */
export function renderTemplate(src: string, data: Record<string, unknown>, mode: 'html' | 'text'): string {
  const parsed = parsedTemplate(src);
  return parsed
    .map((p) => {
      if ('text' in p) return p.text;
      const value = display(lookup(data, p.path));
      const shown = value === '' && p.fallback !== undefined ? p.fallback : value;
      return mode === 'html' ? escapeHtml(shown) : shown;
    })
    .join('');
}

/** Every variable a template uses (for the editor's hints). */
export function templateVariables(src: string): string[] {
  const parsed = parseTemplate(src);
  if ('problem' in parsed) return [];
  return [...new Set(parsed.parts.flatMap((p) => ('path' in p ? [p.path.join('.')] : [])))];
}
