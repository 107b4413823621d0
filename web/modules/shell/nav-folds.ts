import { useState } from 'react';

const KEY = 'rapport.nav.folds';

function read(): Record<string, boolean> {
  try {
    const v: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, boolean>) : {};
  } catch {
    return {};
  }
}

/**
 * Whether the user left a sidebar group open (true), folded (false) or never touched it
 * (null), kept in this browser; written only when they fold or unfold it.
 */
export function useNavFold(group: string): [boolean | null, (open: boolean) => void] {
  const [open, setOpen] = useState<boolean | null>(() => read()[group] ?? null);
  const set = (next: boolean) => {
    setOpen(next);
    try {
      window.localStorage.setItem(KEY, JSON.stringify({ ...read(), [group]: next }));
    } catch {
      // Storage full or refused: the choice lasts for this page only.
    }
  };
  return [open, set];
}

/** Forgets the folded groups (sign-out leaves nothing of the user behind). */
export function clearNavFolds(): void {
  try {
    window.localStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}
