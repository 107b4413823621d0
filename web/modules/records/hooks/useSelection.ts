import { useCallback, useMemo, useState } from 'react';

/** The records ticked in a list, by id. */
export function useSelection() {
  const [ids, setIds] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback((id: string, on: boolean) => {
    setIds((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  const setAll = useCallback((all: string[], on: boolean) => setIds(on ? new Set(all) : new Set()), []);
  const clear = useCallback(() => setIds(new Set()), []);
  const remove = useCallback(
    (gone: string[]) =>
      setIds((prev) => {
        const next = new Set(prev);
        for (const id of gone) next.delete(id);
        return next;
      }),
    [],
  );
  return useMemo(() => ({ ids, toggle, setAll, clear, remove }), [ids, toggle, setAll, clear, remove]);
}

export type Selection = ReturnType<typeof useSelection>;
