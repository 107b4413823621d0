/** Hosts that only the machine itself reaches: a page served from one of them is this server's own page. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Decides whether a cookie-authenticated write or WebSocket comes from Rapport's own
 * pages (CSRF and cross-site WebSocket hijacking checks). Trusted: the configured base
 * URL and RAPPORT_CORS_ORIGINS; and, so the web app works whether it was opened at
 * `localhost`, `127.0.0.1` or `[::1]`, a loopback origin naming exactly the host and
 * port the request was sent to (a page of another port or site has another origin, and
 * a page of another site cannot hold the loopback origin).
 */
export function originTrust(trustedOrigins: string[]): (origin: string, host: string | undefined) => boolean {
  const trusted = new Set(trustedOrigins.map((o) => new URL(o).origin));
  return (origin, host) => {
    if (trusted.has(origin)) return true;
    if (!host) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname) && url.host === host;
  };
}
