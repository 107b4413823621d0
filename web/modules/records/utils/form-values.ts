import type { FieldMeta } from '../../objects/api/objects.api';
import type { Money } from './format';

/** What a form input holds while the user types (text stays text until saved). */
export type Draft = string | boolean | string[] | Record<string, string> | null;

export const ADDRESS_PARTS = ['street', 'city', 'region', 'postalCode', 'country'] as const;

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** The draft an input starts from, given the record's API value. */
export function toDraft(field: FieldMeta, value: unknown): Draft {
  switch (field.type) {
    case 'boolean':
      return value === true;
    case 'tags':
    case 'multiSelect':
      return Array.isArray(value) ? value.map(String) : [];
    case 'relation':
      if (field.relation?.cardinality === 'many') return Array.isArray(value) ? value.map(String) : [];
      return typeof value === 'string' ? value : null;
    case 'select':
    case 'user':
      return typeof value === 'string' ? value : null;
    case 'emails':
    case 'phones':
      return Array.isArray(value) ? value.map((v) => str((v as { value?: unknown }).value)) : [];
    case 'money': {
      const m = (value ?? {}) as Partial<Money>;
      return { amount: str(m.amount), currency: str(m.currency) };
    }
    case 'address': {
      const a = (value ?? {}) as Record<string, unknown>;
      return Object.fromEntries(ADDRESS_PARTS.map((p) => [p, str(a[p])]));
    }
    case 'datetime':
      return typeof value === 'string' ? toLocalDateTime(value) : '';
    case 'json':
      return value === null || value === undefined ? '' : JSON.stringify(value, null, 2);
    default:
      return str(value);
  }
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * The API value for a draft, or a message when the text cannot be that type at all.
 * Everything else (formats, ranges, required) the API checks and reports per field.
 */
export function fromDraft(field: FieldMeta, draft: Draft, previous?: unknown): Parsed {
  const text = typeof draft === 'string' ? draft.trim() : '';
  switch (field.type) {
    case 'boolean':
      return { ok: true, value: draft === true };
    case 'tags':
    case 'multiSelect':
      return { ok: true, value: Array.isArray(draft) ? draft : [] };
    case 'relation':
      if (field.relation?.cardinality === 'many') return { ok: true, value: Array.isArray(draft) ? draft : [] };
      return { ok: true, value: typeof draft === 'string' && draft ? draft : null };
    case 'select':
    case 'user':
      return { ok: true, value: typeof draft === 'string' && draft ? draft : null };
    case 'emails':
    case 'phones': {
      // Keep the labels ("work", "home") of entries that are still there.
      const old = Array.isArray(previous) ? (previous as { value: string; label?: string }[]) : [];
      const list = Array.isArray(draft) ? draft : [];
      return { ok: true, value: list.map((v) => old.find((o) => o.value === v) ?? { value: v }) };
    }
    case 'money': {
      const m = (draft ?? {}) as Record<string, string>;
      const amount = (m.amount ?? '').trim();
      const currency = (m.currency ?? '').trim().toUpperCase();
      if (!amount && !currency) return { ok: true, value: null };
      return { ok: true, value: { amount, currency } };
    }
    case 'address': {
      const a = (draft ?? {}) as Record<string, string>;
      const parts = Object.fromEntries(ADDRESS_PARTS.map((p) => [p, (a[p] ?? '').trim() || null]));
      if (Object.values(parts).every((v) => v === null)) return { ok: true, value: null };
      const prev = (previous ?? {}) as Record<string, unknown>;
      // Coordinates are not edited here; keep them (and where they came from) unless the
      // address moved, when the server's geocoder places it again.
      const moved = ADDRESS_PARTS.some((p) => (prev[p] ?? null) !== parts[p]);
      if (moved || prev.latitude == null) return { ok: true, value: parts };
      return {
        ok: true,
        value: {
          ...parts,
          latitude: prev.latitude,
          longitude: prev.longitude ?? null,
          geoPrecision: prev.geoPrecision ?? null,
          geoSource: prev.geoSource ?? null,
        },
      };
    }
    case 'integer':
      if (!text) return { ok: true, value: null };
      if (!/^-?\d+$/.test(text)) return { ok: false, error: 'must be a whole number' };
      return { ok: true, value: Number(text) };
    case 'percent':
      if (!text) return { ok: true, value: null };
      if (!/^-?\d+(\.\d+)?$/.test(text)) return { ok: false, error: 'must be a number' };
      return { ok: true, value: Number(text) };
    case 'datetime': {
      if (!text) return { ok: true, value: null };
      const d = new Date(text);
      return Number.isNaN(d.getTime())
        ? { ok: false, error: 'must be a date and time' }
        : { ok: true, value: d.toISOString() };
    }
    case 'json':
      if (!text) return { ok: true, value: null };
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: false, error: 'must be valid JSON' };
      }
    default:
      return { ok: true, value: text || null };
  }
}

/** True when two API values are the same (for sending only what changed). */
export function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === undefined || v === '' ? null : v);
  return stable(norm(a)) === stable(norm(b));
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${k}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** An ISO instant as `YYYY-MM-DDTHH:mm` local time (the value of a datetime-local input). */
export function toLocalDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
