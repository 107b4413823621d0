import { useEffect, useRef } from 'react';
import { pushScope, type ShortcutHandler } from '../registry';

/**
 * Keys this page handles while it is shown (`{ n: newRecord }`); a key mapped to
 * undefined is not taken (e.g. `e` when the user may not edit).
 */
export function usePageShortcuts(map: Record<string, ShortcutHandler | undefined>): void {
  const latest = useRef(map);
  latest.current = map;
  const keys = Object.keys(map)
    .filter((k) => map[k])
    .join(' ');
  useEffect(() => {
    const scope = new Map<string, ShortcutHandler>();
    for (const key of keys.split(' ').filter(Boolean)) scope.set(key, () => latest.current[key]?.());
    return pushScope(scope);
  }, [keys]);
}
