import { Box } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A table that is wider than a phone scrolls sideways inside this box, never the page;
 * focusable (WCAG 2.1.1) so keyboard users can scroll it too. Positioned, so visually hidden
 * (absolutely positioned) headers inside are clipped too instead of widening the page.
 */
export function ScrollBox({ minWidth, children }: { minWidth: number; children: ReactNode }) {
  return (
    <Box tabIndex={0} style={{ overflowX: 'auto', maxWidth: '100%', position: 'relative' }}>
      <Box miw={minWidth}>{children}</Box>
    </Box>
  );
}
