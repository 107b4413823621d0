import { useState } from 'react';
import { ApiError } from './http';

/**
 * Keeps an API failure as a general message plus per-field messages keyed by the
 * first segment of each error path (`address.country` → `address`).
 */
export function useFieldErrors() {
  const [general, setGeneral] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  return {
    general,
    fields,
    clear() {
      setGeneral(null);
      setFields({});
    },
    /** Shows messages found before asking the server (e.g. "must be a whole number"). */
    showLocal(message: string, byField: Record<string, string>) {
      setGeneral(message);
      setFields(byField);
    },
    /** Sets or clears one field's message (checked as the user leaves the field). */
    setField(name: string, message: string | null) {
      setFields((f) => {
        if ((f[name] ?? null) === message) return f;
        const next = { ...f };
        if (message === null) delete next[name];
        else next[name] = message;
        return next;
      });
    },
    show(err: unknown) {
      if (!(err instanceof ApiError)) {
        setGeneral('Something went wrong. Please try again.');
        setFields({});
        return;
      }
      const byField: Record<string, string> = {};
      for (const e of err.errors) {
        const key = e.path.split('.')[0] ?? e.path;
        const rest = e.path.slice(key.length + 1);
        byField[key] = byField[key] ?? (rest ? `${rest}: ${e.message}` : e.message);
      }
      setFields(byField);
      setGeneral(err.message);
    },
  };
}
