import type { FieldDef } from '../../platform/records/types';
import type { LoadedForm } from './forms.service';

/** Hidden inputs the page adds to a form; no field name can take them (names start with a letter). */
export const HONEYPOT = '_website';
export const STAMP = '_ts';
export const PAGE_URL = '_page';
export const consentInput = (purpose: string) => `_consent_${purpose}`;

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const INPUT_TYPE: Record<string, string> = {
  email: 'email',
  phone: 'tel',
  url: 'url',
  integer: 'number',
  decimal: 'number',
  date: 'date',
};

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1b1e}
label{display:block;font-weight:600;margin-top:1rem}input,select,textarea{display:block;width:100%;padding:.5rem;
margin-top:.25rem;font:inherit;box-sizing:border-box}.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}
.check input{width:auto;margin-top:.3rem}.error{color:#c92a2a;margin:.25rem 0 0}[aria-invalid=true]{border-color:#c92a2a}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit}.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}`;

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;

export interface PageState {
  values?: Record<string, string>;
  /** Errors by input name ("form" for the whole form). */
  errors?: Record<string, string>;
  stamp: string;
  pageUrl?: string;
}

/**
 * The hosted form: one labelled input per field named by its `name`, consent checkboxes
 * with their exact wording, errors next to their field (linked by aria-describedby), a
 * honeypot hidden from people and screen readers, and the signed render time. Works
 * without JavaScript.
 */
export function renderFormPage(
  form: LoadedForm,
  defs: Map<string, FieldDef>,
  action: string,
  state: PageState,
): string {
  const values = state.values ?? {};
  const errors = state.errors ?? {};
  const inputs = form.fields.map((f) => {
    const def = defs.get(f.field);
    const id = `f-${f.name}`;
    const label = f.label ?? def?.label ?? f.name;
    const error = errors[f.name];
    const aria = `${f.required ? ' required aria-required="true"' : ''}${error ? ` aria-invalid="true" aria-describedby="${id}-error"` : ''}`;
    const value = values[f.name] ?? '';
    const errorLine = error ? `<p class="error" id="${id}-error">${esc(error)}</p>` : '';
    if (def?.type === 'boolean') {
      return `<label class="check" for="${id}"><input type="checkbox" id="${id}" name="${esc(f.name)}" value="true"${value ? ' checked' : ''}${aria}>${esc(label)}</label>${errorLine}`;
    }
    let control: string;
    if (def?.type === 'select') {
      const options = (def.options ?? [])
        .map((o) => `<option value="${esc(o.value)}"${o.value === value ? ' selected' : ''}>${esc(o.label)}</option>`)
        .join('');
      control = `<select id="${id}" name="${esc(f.name)}"${aria}><option value=""></option>${options}</select>`;
    } else if (def?.type === 'longText') {
      control = `<textarea id="${id}" name="${esc(f.name)}" rows="4"${aria}>${esc(value)}</textarea>`;
    } else {
      const type = INPUT_TYPE[def?.type ?? ''] ?? 'text';
      const step = def?.type === 'decimal' ? ' step="any"' : '';
      const auto = def?.type === 'email' ? ' autocomplete="email"' : '';
      control = `<input type="${type}" id="${id}" name="${esc(f.name)}" value="${esc(value)}"${step}${auto}${aria}>`;
    }
    return `<label for="${id}">${esc(label)}${f.required ? ' <span aria-hidden="true">*</span>' : ''}</label>${control}${errorLine}`;
  });
  const consents = form.consents.map((c) => {
    const name = consentInput(c.purpose);
    const id = `c-${c.purpose}`;
    return `<label class="check" for="${id}"><input type="checkbox" id="${id}" name="${esc(name)}" value="yes"${values[name] ? ' checked' : ''}>${esc(c.label)}</label>`;
  });
  const formError = errors.form ? `<p class="error" role="alert">${esc(errors.form)}</p>` : '';
  const summary = Object.keys(errors).length
    ? `<p class="error" role="alert">Please correct the highlighted field${Object.keys(errors).length > 1 ? 's' : ''}.</p>`
    : '';
  const body = `<h1>${esc(form.name)}</h1>${summary}${formError}
<form method="post" action="${esc(action)}" novalidate>
${inputs.join('\n')}
${consents.join('\n')}
<div class="hp" aria-hidden="true"><label for="f-hp">Leave this field empty</label><input type="text" id="f-hp" name="${HONEYPOT}" tabindex="-1" autocomplete="off"></div>
<input type="hidden" name="${STAMP}" value="${esc(state.stamp)}">
<input type="hidden" name="${PAGE_URL}" value="${esc(state.pageUrl ?? '')}">
<button type="submit">Submit</button>
</form>`;
  return page(form.name, body);
}

/** The page after a submission (also what a bot gets). */
export const renderThankYou = (form: Pick<LoadedForm, 'name' | 'thankYouMessage'>) =>
  page(
    form.name,
    `<h1>${esc(form.name)}</h1><p role="status">${esc(form.thankYouMessage ?? 'Thank you! We received your message.')}</p>`,
  );

/** A plain page with one message (confirmation links, missing forms). */
export const renderMessage = (title: string, message: string) =>
  page(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>`);
