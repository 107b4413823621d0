/**
 * Registers the service worker (web/public/sw.js) from the bundled code: the
 * Content-Security-Policy allows no inline script. Only in built apps (the dev server
 * has no precache list) and where the browser supports it (https or localhost).
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Without it the app still works online; offline use is what is lost.
    });
  });
}
