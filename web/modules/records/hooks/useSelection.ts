import { useCallback, useMemo, useState } from 'react';

/**
 * The records ticked in a list, by id — or, after "select all matching", every record
 * the list's filter finds (including pages not loaded yet).
 */
export function useSelection() {
  const [ids, setIds] = useState<ReadonlySet<string>>(() => new Set());
  const [matching, setMatching] = useState(false);
  const toggle = useCallback((id: string, on: boolean) => {
    setMatching(false);
    setIds((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  const setAll = useCallback((all: string[], on: boolean) => {
    setMatching(false);
    setIds(on ? new Set(all) : new Set());
  }, []);
  const clear = useCallback(() => {
    setMatching(false);
    setIds(new Set());
  }, []);
  const remove = useCallback((gone: string[]) => {
    setMatching(false);
    setIds((prev) => {
      const next = new Set(prev);
      for (const id of gone) next.delete(id);
      return next;
    });
  }, []);
  const selectMatching = useCallback(() => setMatching(true), []);
  return useMemo(
    () => ({ ids, matching, toggle, setAll, clear, remove, selectMatching }),
    [ids, matching, toggle, setAll, clear, remove, selectMatching],
  );
}

export type Selection = ReturnType<typeof useSelection>;
