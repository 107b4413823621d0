import { type CSSVariablesResolver, createTheme } from '@mantine/core';

const font = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/**
 * Rapport's Mantine theme; light and dark come from Mantine's colour schemes. Shade 8
 * of the primary colour keeps white button text and blue links at WCAG AA contrast
 * (Mantine's default shade 6 is about 3.5:1). Menus, modals and popovers open and close
 * without their transition for people who ask their system for reduced motion.
 */
export const theme = createTheme({
  respectReducedMotion: true,
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  fontFamily: font,
  headings: { fontFamily: font },
});

/** Secondary ("dimmed") and error text with AA contrast in both schemes (Mantine's defaults fall short). */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-placeholder': '#6c737a',
    '--mantine-color-error': '#c92a2a',
    // Text of light and subtle buttons: blue 9 on the hover background (blue 2) is 4.0:1.
    '--mantine-color-blue-light-color': '#134d82',
  },
  dark: { '--mantine-color-dimmed': '#a6a7ab', '--mantine-color-error': '#ff8787' },
});
