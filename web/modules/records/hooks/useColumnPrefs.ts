import { useCallback, useMemo, useState } from 'react';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import { listColumns } from '../utils/fields';

const key = (object: string) => `rapport.columns.${object}`;

function load(object: string): string[] | null {
  try {
    const raw = window.localStorage.getItem(key(object));
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** Fields that can be list columns: everything but bookkeeping and structured JSON. */
export function columnCandidates(meta: ObjectMeta): FieldMeta[] {
  return meta.fields.filter((f) => !['id', 'version'].includes(f.name) && f.type !== 'json');
}

/**
 * The list's columns in the order chosen, remembered per object in this browser
 * (saved views shared through the server are a later step). Fields that no longer
 * exist (a removed custom field) drop out.
 */
export function useColumnPrefs(meta: ObjectMeta) {
  const [names, setNames] = useState<string[] | null>(() => load(meta.name));
  const columns = useMemo(() => {
    if (!names) return listColumns(meta);
    const byName = new Map(columnCandidates(meta).map((f) => [f.name, f]));
    const chosen = names.map((n) => byName.get(n)).filter((f): f is FieldMeta => !!f);
    return chosen.length ? chosen : listColumns(meta);
  }, [meta, names]);

  const save = useCallback(
    (next: string[] | null) => {
      setNames(next);
      try {
        if (next) window.localStorage.setItem(key(meta.name), JSON.stringify(next));
        else window.localStorage.removeItem(key(meta.name));
      } catch {
        // Not remembered (storage unavailable); the choice still applies until reload.
      }
    },
    [meta.name],
  );
  return { columns, save, customised: names !== null };
}
