import { createHash } from 'node:crypto';

/**
 * The tracking script a site includes as
 * `<script src="https://<rapport>/t.js" data-key="<site key>" async></script>`.
 * First-party and framework-free: it keeps a random visitor id in a `rapport_vid` cookie on
 * the site's own domain (1 year, SameSite=Lax), reports the page on load, on history
 * navigation (pushState, popstate) and clicks on download links to `<rapport>/t/collect`
 * (a text/plain body, so no CORS preflight; fetch keepalive without credentials, else
 * sendBeacon), calls nothing else, and does nothing at all when the browser sends
 * Do-Not-Track or Global Privacy Control. A Rapport form on the page (posting to
 * `<rapport>/f/…`) gets the visitor id as a hidden `rapport_vid` input when submitted, so
 * the submission links the visitor's visits to the lead; `window.rapport.visitorId` gives it
 * to any other form. A `?rapport_vid=` in the page's URL (a campaign email's tracked link,
 * which tied that id to the contact) replaces the cookie's id.
 * Plain ES2015 kept small by hand: it is served as written (tracking.test.ts checks the size).
 */
export const TRACKING_SCRIPT = `/* Rapport website tracking: first-party, honours DNT and GPC. */
(function () {
  var w = window, d = document, n = navigator;
  if (n.doNotTrack === '1' || w.doNotTrack === '1' || n.globalPrivacyControl === true) return;
  var s = d.currentScript || d.querySelector('script[data-key][src*="/t.js"]');
  var key = s && s.getAttribute('data-key');
  if (!key || w.rapport) return;
  var endpoint = new URL('/t/collect', s.src).href;
  // A tracked campaign link hands over the visitor id it tied to the contact (?rapport_vid=).
  var q = location.search.match(/[?&]rapport_vid=([A-Za-z0-9_-]{16,64})/);
  var m = q || d.cookie.match(/(?:^|;\\s*)rapport_vid=([A-Za-z0-9_-]{16,64})/);
  var vid = m ? m[1] : '';
  if (!vid) {
    var b = new Uint8Array(16);
    w.crypto.getRandomValues(b);
    for (var i = 0; i < b.length; i++) vid += (b[i] + 256).toString(16).slice(1);
  }
  d.cookie = 'rapport_vid=' + vid + '; path=/; max-age=31536000; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
  w.rapport = { visitorId: vid };
  var send = function (kind, url, referrer) {
    var body = JSON.stringify({ key: key, visitorId: vid, url: url, title: d.title.slice(0, 500), referrer: referrer || '', kind: kind });
    try {
      fetch(endpoint, { method: 'POST', body: body, keepalive: true, credentials: 'omit', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' } }).catch(function () {});
    } catch (e) {
      if (n.sendBeacon) n.sendBeacon(endpoint, body);
    }
  };
  var last = location.href.split('#')[0];
  send('page', last, d.referrer);
  var changed = function () {
    setTimeout(function () {
      var now = location.href.split('#')[0];
      if (now === last) return;
      send('page', now, last);
      last = now;
    }, 0);
  };
  var push = history.pushState;
  history.pushState = function () {
    var r = push.apply(this, arguments);
    changed();
    return r;
  };
  w.addEventListener('popstate', changed);
  // A Rapport form on this page (it posts to this server's /f/…) carries the visitor id, so the
  // submission links this visitor's visits to the lead or contact it makes.
  var forms = new URL('/f/', s.src).href;
  d.addEventListener(
    'submit',
    function (e) {
      var f = e.target;
      if (!f || !f.action || f.action.indexOf(forms) !== 0 || f.querySelector('input[name="rapport_vid"]')) return;
      var i = d.createElement('input');
      i.type = 'hidden';
      i.name = 'rapport_vid';
      i.value = vid;
      f.appendChild(i);
    },
    true,
  );
  var FILES = /\\.(pdf|zip|rar|7z|gz|tgz|docx?|xlsx?|pptx?|odt|ods|odp|rtf|csv|txt|epub|dmg|exe|msi|pkg|mp3|mp4|mov)$/i;
  d.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a[href]') : null;
    if (a && /^https?:/.test(a.href) && (a.hasAttribute('download') || FILES.test(a.pathname))) send('download', a.href, last);
  }, true);
})();
`;

/** The script's ETag (its content's hash: a new release changes it). */
export const TRACKING_SCRIPT_ETAG = `"${createHash('sha256').update(TRACKING_SCRIPT).digest('base64url').slice(0, 27)}"`;
