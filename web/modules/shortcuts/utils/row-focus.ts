/**
 * Moves the keyboard selection in a record list (`j`/`k`): focuses the next or previous
 * row's link, which scrolls it into view (the virtualised table then renders the rows
 * around it). Enter on the focused link opens the record. Returns whether it moved.
 */
export function moveRowFocus(list: HTMLElement | null, delta: 1 | -1): boolean {
  if (!list) return false;
  // Each row's first link is its title (the selection checkbox cell, when there is one, has none).
  const links = [...list.querySelectorAll<HTMLTableRowElement>('tbody tr')]
    .map((tr) => tr.querySelector<HTMLAnchorElement>('a[href]'))
    .filter((a): a is HTMLAnchorElement => !!a);
  if (links.length === 0) return false;
  const current = links.findIndex(
    (a) => a === document.activeElement || a.closest('tr')?.contains(document.activeElement),
  );
  const next = current === -1 ? (delta === 1 ? 0 : links.length - 1) : current + delta;
  const target = links[Math.max(0, Math.min(links.length - 1, next))];
  if (!target || target === links[current]) return false;
  target.focus({ preventScroll: false });
  target.scrollIntoView({ block: 'nearest' });
  return true;
}
