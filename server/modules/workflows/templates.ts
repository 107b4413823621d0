/** What `{{ … }}` placeholders in a step can read. */
export interface TemplateContext {
  record?: Record<string, unknown> | null;
  trigger?: Record<string, unknown>;
  workflow?: { id: string; name: string };
  run?: { id: string };
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}$/;

function lookup(ctx: TemplateContext, path: string): unknown {
  let v: unknown = ctx;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const asText = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    // Money reads as "60.07 EUR", other objects as JSON.
    const m = v as { amount?: unknown; currency?: unknown };
    if (typeof m.amount === 'string' && typeof m.currency === 'string') return `${m.amount} ${m.currency}`;
    return JSON.stringify(v);
  }
  return String(v);
};

/** Replaces `{{record.name}}`-style placeholders in a string (unknown ones become empty). */
export function renderText(template: string, ctx: TemplateContext): string {
  return template.replace(PLACEHOLDER, (_m, path: string) => asText(lookup(ctx, path)));
}

/**
 * Renders placeholders anywhere in a JSON value. A string that is exactly one
 * placeholder takes the value itself (so `{"amount": "{{record.amount}}"}` keeps its type).
 */
export function renderValue(value: unknown, ctx: TemplateContext): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(ctx, whole[1] as string) ?? null;
    return renderText(value, ctx);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, ctx));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, ctx)]));
  }
  return value;
}
