import { useMediaQuery } from '@mantine/hooks';

/** Where the filter builder's dropdowns render (Mantine's `comboboxProps`). */
export interface DropdownPlacement {
  withinPortal: boolean;
  zIndex?: number;
}

/**
 * On phones the filter dialog fills the screen and its dropdowns open inside it, above its
 * sticky header: a dropdown portalled to the page's body detached from its field whenever
 * the dialog scrolled (Chromium on phones scrolls the dialog when a field takes focus).
 * On wider screens they go to the body as usual, so a short dialog never clips them.
 */
export function useFilterDropdowns(): DropdownPlacement {
  const narrow = useMediaQuery('(max-width: 36em)');
  return narrow ? { withinPortal: false, zIndex: 1002 } : { withinPortal: true };
}
