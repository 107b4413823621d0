// Applies the saved light/dark choice before the first paint (no flash). Kept in a file,
// not inline, because the Content-Security-Policy allows only scripts from 'self'.
(() => {
  try {
    const saved = window.localStorage.getItem('mantine-color-scheme-value');
    const scheme =
      saved === 'light' || saved === 'dark'
        ? saved
        : window.matchMedia('(prefers-color-scheme: dark)').matches
          ? 'dark'
          : 'light';
    document.documentElement.setAttribute('data-mantine-color-scheme', scheme);
  } catch {
    // Storage may be unavailable (private mode): the app falls back to the system preference.
  }
})();
