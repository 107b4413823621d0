import { createHash } from 'node:crypto';

/**
 * The live chat widget a site includes as
 * `<script src="https://<rapport>/chat/widget.js" data-key="<widget key>" async></script>`.
 * Framework-free and kept small by hand (chat-widget.test.ts checks it stays under 30 KB
 * gzipped): it asks `/chat/config` whether the chat is on and someone may answer, shows a
 * launcher button, and when opened talks to `/chat/socket` (a WebSocket). A known visitor is
 * passed by the page before the script runs:
 * `window.rapportChat = { email, name, hash }` where `hash` is the hex HMAC-SHA256 of the
 * email under the workspace's identity secret, computed by the site's server.
 * Accessible: a labelled dialog, Escape closes it and focus returns to the launcher, the
 * conversation is a log (an ARIA live region) and typing / status lines are announced
 * politely; on a phone (narrow screens) the panel takes the whole screen.
 * The visitor's resume token is kept in localStorage so a reload continues the chat; it also
 * proves the visitor's files are theirs (`POST /chat/files`, `GET /chat/files/{id}`: over
 * HTTP, since the socket takes only small frames).
 */
export const CHAT_WIDGET_SCRIPT = `/* Rapport live chat widget */
(function () {
  var w = window, d = document;
  var s = d.currentScript || d.querySelector('script[data-key][src*="/chat/widget.js"]');
  var key = s && s.getAttribute('data-key');
  if (!key || w.__rapportChat) return;
  w.__rapportChat = true;
  var base = new URL('/', s.src);
  var store = 'rapport_chat_' + key;
  var me = w.rapportChat || {};
  var cfg, ws, token = '', auth = '', status = '', open = false, retries = 0, typingTimer = 0, typingSent = false, unread = 0;
  var get = function () { try { return w.localStorage.getItem(store) || ''; } catch (e) { return ''; } };
  var put = function (v) { try { if (v) w.localStorage.setItem(store, v); else w.localStorage.removeItem(store); } catch (e) {} };
  var el = function (tag, attrs, text) {
    var e = d.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  };
  // Text on the workspace's colour: white or near-black, whichever contrasts more (WCAG).
  var ink = function (hex) {
    var l = [1, 3, 5].map(function (i) {
      var v = parseInt(hex.substr(i, 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var y = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    return 1.05 / (y + 0.05) >= (y + 0.05) / 0.0556 ? '#fff' : '#111';
  };
  var css = function (c) {
    var t = ink(c);
    return '#rpc-root{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:15px/1.4 system-ui,sans-serif;color:#1a1a1a}' +
      '#rpc-root *{box-sizing:border-box}' +
      '#rpc-launch{background:' + c + ';color:' + t + ';border:0;border-radius:28px;padding:12px 18px;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 2px 10px rgba(0,0,0,.25)}' +
      '#rpc-launch:focus-visible,#rpc-panel button:focus-visible,#rpc-panel textarea:focus-visible,#rpc-panel input:focus-visible{outline:3px solid #111;outline-offset:2px}' +
      '#rpc-panel{position:fixed;right:16px;bottom:76px;width:360px;max-width:calc(100vw - 32px);height:520px;max-height:calc(100vh - 100px);background:#fff;border-radius:12px;box-shadow:0 6px 30px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden}' +
      '#rpc-panel[hidden]{display:none}' +
      '#rpc-head{background:' + c + ';color:' + t + ';padding:12px 14px;display:flex;align-items:center;gap:8px}' +
      '#rpc-head h2{font-size:16px;margin:0;flex:1}' +
      '#rpc-head button{background:transparent;color:' + t + ';border:1px solid ' + t + ';border-radius:6px;font:inherit;font-size:13px;padding:4px 8px;cursor:pointer;min-height:32px}' +
      '#rpc-log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px}' +
      '.rpc-m{max-width:85%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}' +
      '.rpc-visitor{align-self:flex-end;background:' + c + ';color:' + t + '}' +
      '.rpc-agent{align-self:flex-start;background:#f1f3f5}' +
      '.rpc-system{align-self:center;color:#555;font-size:13px;text-align:center}' +
      '.rpc-who{display:block;font-size:12px;font-weight:600}' +
      '#rpc-status{min-height:20px;padding:0 12px;font-size:13px;color:#555}' +
      '#rpc-form{display:flex;gap:6px;padding:10px;border-top:1px solid #e9ecef}' +
      '#rpc-file{position:absolute;opacity:0;width:1px;height:1px}' +
      '#rpc-form .rpc-att{background:#fff;color:#1a1a1a;border:1px solid #adb5bd;border-radius:8px;padding:8px 10px;cursor:pointer;min-height:44px;display:flex;align-items:center}' +
      '#rpc-file:focus-visible+.rpc-att{outline:3px solid #111;outline-offset:2px}' +
      '.rpc-m .rpc-dl{display:block;background:none;border:0;padding:2px 0;color:inherit;text-decoration:underline;font:inherit;cursor:pointer;text-align:left}' +
      '#rpc-form textarea{flex:1;resize:none;font:inherit;padding:8px;border:1px solid #adb5bd;border-radius:8px;min-height:44px}' +
      '#rpc-panel .rpc-btn{background:' + c + ';color:' + t + ';border:0;border-radius:8px;padding:8px 12px;font:inherit;cursor:pointer;min-height:44px}' +
      '#rpc-offline,#rpc-rate{padding:12px;display:flex;flex-direction:column;gap:8px;overflow-y:auto}' +
      '#rpc-offline label{display:flex;flex-direction:column;gap:2px;font-size:14px}' +
      '#rpc-offline input,#rpc-offline textarea,#rpc-rate textarea{font:inherit;padding:8px;border:1px solid #adb5bd;border-radius:8px}' +
      '#rpc-rate .rpc-stars{display:flex;gap:6px}' +
      '#rpc-rate .rpc-stars button{flex:1;min-height:44px;border:1px solid #adb5bd;background:#fff;border-radius:8px;font:inherit;cursor:pointer}' +
      '#rpc-rate .rpc-stars button[aria-pressed=true]{background:' + c + ';color:' + t + '}' +
      '.rpc-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
      '@media (max-width:480px){#rpc-panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100%;max-height:100%;border-radius:0}#rpc-root{right:12px;bottom:12px}#rpc-root.rpc-open #rpc-launch{display:none}}';
  };
  var root, launch, panel, log, statusLine, form, input, body, offlineBox, rateBox, endBtn;
  var announce = function (t) { statusLine.textContent = t; };
  var build = function () {
    var st = el('style', {});
    st.textContent = css(cfg.colour);
    d.head.appendChild(st);
    root = el('div', { id: 'rpc-root' });
    launch = el('button', { id: 'rpc-launch', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'rpc-panel' }, 'Chat with us');
    panel = el('div', { id: 'rpc-panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'rpc-title', hidden: '' });
    var head = el('div', { id: 'rpc-head' });
    head.appendChild(el('h2', { id: 'rpc-title' }, 'Chat'));
    endBtn = el('button', { type: 'button', hidden: '' }, 'End chat');
    var close = el('button', { type: 'button', 'aria-label': 'Close chat' }, 'Close');
    head.appendChild(endBtn);
    head.appendChild(close);
    body = el('div', { style: 'flex:1;display:flex;flex-direction:column;min-height:0' });
    log = el('div', { id: 'rpc-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
    statusLine = el('div', { id: 'rpc-status', role: 'status', 'aria-live': 'polite' });
    form = el('form', { id: 'rpc-form' });
    var lab = el('label', { for: 'rpc-input', class: 'rpc-sr' }, 'Your message');
    input = el('textarea', { id: 'rpc-input', rows: '1', maxlength: '4000', placeholder: 'Type your message' });
    var file = el('input', { id: 'rpc-file', type: 'file' });
    form.appendChild(file);
    form.appendChild(el('label', { for: 'rpc-file', class: 'rpc-att', title: 'Attach a file' }, '📎'));
    form.lastChild.appendChild(el('span', { class: 'rpc-sr' }, 'Attach a file'));
    file.addEventListener('change', function () {
      var f = file.files && file.files[0];
      file.value = '';
      if (f) upload(f);
    });
    form.appendChild(lab);
    form.appendChild(input);
    form.appendChild(el('button', { type: 'submit', class: 'rpc-btn' }, 'Send'));
    body.appendChild(log);
    body.appendChild(statusLine);
    body.appendChild(form);
    panel.appendChild(head);
    panel.appendChild(body);
    root.appendChild(panel);
    root.appendChild(launch);
    d.body.appendChild(root);
    launch.addEventListener('click', function () { toggle(!open); });
    close.addEventListener('click', function () { toggle(false); });
    endBtn.addEventListener('click', function () { send({ type: 'end' }); });
    panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') toggle(false); });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var t = input.value.trim();
      if (!t) return;
      if (send({ type: 'message', body: t })) {
        input.value = '';
        stopTyping();
      }
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event('submit', { cancelable: true }));
      }
    });
    input.addEventListener('input', function () {
      if (!typingSent) { typingSent = true; send({ type: 'typing', typing: true }); }
      clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, 3000);
    });
  };
  var stopTyping = function () {
    clearTimeout(typingTimer);
    if (typingSent) { typingSent = false; send({ type: 'typing', typing: false }); }
  };
  var toggle = function (v) {
    open = v;
    panel.hidden = !v;
    root.className = v ? 'rpc-open' : '';
    launch.setAttribute('aria-expanded', String(v));
    launch.textContent = v ? 'Hide chat' : 'Chat with us';
    if (v) {
      unread = 0;
      if (!ws) connect();
      else read();
      var f = panel.querySelector('textarea:not([hidden]),input');
      if (f && !form.hidden) input.focus(); else if (f) f.focus();
    } else launch.focus();
  };
  var send = function (m) {
    if (!ws || ws.readyState !== 1) { announce('Connecting…'); return false; }
    ws.send(JSON.stringify(m));
    return true;
  };
  var api = function (path) { return new URL(path + '?key=' + encodeURIComponent(key), base).href; };
  // Files go over HTTP (the socket takes small frames): JSON with the conversation's token.
  var upload = function (f) {
    if (!auth || !(status === 'waiting' || status === 'active')) return;
    if (f.size > 5242880) { announce('Files may be at most 5 MB.'); return; }
    announce('Sending ' + f.name + '…');
    var r = new FileReader();
    r.onload = function () {
      fetch(api('/chat/files'), {
        method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: auth, filename: f.name.split('/').join('_').split(String.fromCharCode(92)).join('_').slice(0, 255) || 'file', contentBase64: String(r.result).split(',')[1] || '' })
      }).then(function (res) {
        if (res.ok) return announce('');
        return res.json().then(function (p) { announce(p.detail || 'The file was not sent.'); });
      }).catch(function () { announce('The file was not sent.'); });
    };
    r.readAsDataURL(f);
  };
  var download = function (a) {
    fetch(api('/chat/files/' + a.id), { credentials: 'omit', headers: { 'x-rapport-chat-token': auth } })
      .then(function (res) { if (!res.ok) throw 0; return res.blob(); })
      .then(function (b) {
        var link = el('a', { href: URL.createObjectURL(b), download: a.filename });
        d.body.appendChild(link);
        link.click();
        link.remove();
      }).catch(function () { announce('The file could not be opened.'); });
  };
  var read = function () { if (open && status && status !== 'ended') send({ type: 'read' }); };
  var seen = null;
  var add = function (m) {
    if (d.getElementById('rpc-' + m.id)) return;
    var li = el('div', { id: 'rpc-' + m.id, class: 'rpc-m rpc-' + m.author });
    if (m.author === 'agent') li.appendChild(el('span', { class: 'rpc-who' }, m.authorName || 'Agent'));
    else if (m.author === 'visitor') li.appendChild(el('span', { class: 'rpc-sr' }, 'You: '));
    if (m.body) li.appendChild(d.createTextNode(m.body));
    (m.attachments || []).forEach(function (a) {
      var b = el('button', { type: 'button', class: 'rpc-dl' }, '📎 ' + a.filename + ' (' + Math.max(1, Math.round(a.size / 1024)) + ' KB)');
      b.addEventListener('click', function () { download(a); });
      li.appendChild(b);
    });
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    if (m.author === 'agent') {
      announce('');
      if (open) read(); else { unread++; launch.textContent = 'Chat with us (' + unread + ' new)'; }
    }
  };
  var markSeen = function () {
    if (seen) seen.remove();
    var mine = log.querySelectorAll('.rpc-visitor');
    if (!mine.length) return;
    seen = el('div', { class: 'rpc-m rpc-system', id: 'rpc-seen' }, 'Seen');
    log.appendChild(seen);
  };
  var setStatus = function (st, agent) {
    status = st;
    endBtn.hidden = !(st === 'waiting' || st === 'active');
    if (st === 'waiting') announce('Waiting for the next available agent…');
    else if (st === 'active') announce(agent ? agent + ' joined the chat.' : '');
    else if (st === 'ended') { put(''); token = ''; form.hidden = true; rate(); }
  };
  var offline = function () {
    body.hidden = true;
    if (offlineBox) return;
    offlineBox = el('form', { id: 'rpc-offline', 'aria-labelledby': 'rpc-off-h' });
    offlineBox.appendChild(el('p', { id: 'rpc-off-h' }, 'Nobody is available right now. Leave a message and we will email you.'));
    var field = function (name, label, tag, type) {
      var l = el('label', {}, label);
      var i = el(tag, { name: name, required: '' });
      if (type) i.setAttribute('type', type);
      if (name === 'email' && me.email) i.value = me.email;
      if (name === 'name' && me.name) i.value = me.name;
      l.appendChild(i);
      offlineBox.appendChild(l);
      return i;
    };
    var n = field('name', 'Your name', 'input', 'text');
    var em = field('email', 'Your email', 'input', 'email');
    var msg = field('message', 'Message', 'textarea');
    var err = el('p', { role: 'alert' });
    offlineBox.appendChild(err);
    offlineBox.appendChild(el('button', { type: 'submit', class: 'rpc-btn' }, 'Send message'));
    offlineBox.addEventListener('submit', function (e) {
      e.preventDefault();
      err.textContent = '';
      send({ type: 'offline', name: n.value.trim(), email: em.value.trim(), message: msg.value.trim() });
    });
    panel.appendChild(offlineBox);
    n.focus();
  };
  var rate = function () {
    if (rateBox) return;
    rateBox = el('div', { id: 'rpc-rate', role: 'group', 'aria-labelledby': 'rpc-rate-h' });
    rateBox.appendChild(el('p', { id: 'rpc-rate-h' }, 'How did we do? Rate this chat from 1 (poor) to 5 (great).'));
    var stars = el('div', { class: 'rpc-stars' });
    var chosen = 0;
    for (var i = 1; i <= 5; i++) {
      (function (n) {
        var b = el('button', { type: 'button', 'aria-pressed': 'false', 'aria-label': n + ' out of 5' }, String(n));
        b.addEventListener('click', function () {
          chosen = n;
          var all = stars.querySelectorAll('button');
          for (var j = 0; j < all.length; j++) all[j].setAttribute('aria-pressed', String(j + 1 === n));
        });
        stars.appendChild(b);
      })(i);
    }
    rateBox.appendChild(stars);
    var cl = el('label', { for: 'rpc-comment' }, 'Comment (optional)');
    var c = el('textarea', { id: 'rpc-comment', rows: '2', maxlength: '2000' });
    var go = el('button', { type: 'button', class: 'rpc-btn' }, 'Send rating');
    go.addEventListener('click', function () {
      if (!chosen) { announce('Choose a rating from 1 to 5 first.'); return; }
      send({ type: 'csat', rating: chosen, comment: c.value.trim() || undefined });
    });
    rateBox.appendChild(cl);
    rateBox.appendChild(c);
    rateBox.appendChild(go);
    body.appendChild(rateBox);
  };
  var on = function (m) {
    if (m.type === 'started') {
      token = auth = m.token;
      put(token);
      retries = 0;
      for (var i = 0; i < m.messages.length; i++) add(m.messages[i]);
      setStatus(m.status, m.agentName);
    } else if (m.type === 'offline') offline();
    else if (m.type === 'message') { add(m.message); if (m.message.author === 'visitor' && seen) { seen.remove(); seen = null; } }
    else if (m.type === 'typing') announce(m.typing ? 'The agent is typing…' : '');
    else if (m.type === 'read') markSeen();
    else if (m.type === 'status') setStatus(m.status, m.agentName);
    else if (m.type === 'ticket') {
      put('');
      token = '';
      status = 'ended';
      endBtn.hidden = true;
      var p = el('p', { role: 'status', style: 'padding:12px' }, 'Thank you! We opened ticket #' + m.number + ' and will answer you by email.');
      if (offlineBox) offlineBox.replaceWith(p); else { form.hidden = true; body.appendChild(p); }
    } else if (m.type === 'thanks') {
      if (rateBox) rateBox.replaceWith(el('p', { role: 'status', style: 'padding:12px' }, 'Thank you for your feedback!'));
    } else if (m.type === 'error') {
      var a = offlineBox && offlineBox.querySelector('[role=alert]');
      if (a) a.textContent = m.message; else announce(m.message);
    }
  };
  var connect = function () {
    var u = new URL('/chat/socket', base);
    u.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    u.searchParams.set('key', key);
    ws = new WebSocket(u.href);
    announce('Connecting…');
    ws.onopen = function () {
      announce('');
      var start = { type: 'start', pageUrl: location.href.slice(0, 2048) };
      token = token || get();
      if (token) start.token = token;
      if (me.email) start.identity = { email: me.email, name: me.name || undefined, hash: me.hash || undefined };
      else if (me.name) start.name = me.name;
      ws.send(JSON.stringify(start));
    };
    ws.onmessage = function (e) { try { on(JSON.parse(e.data)); } catch (x) {} };
    ws.onclose = function () {
      ws = null;
      if ((status === 'waiting' || status === 'active') && retries < 5) {
        retries++;
        announce('Reconnecting…');
        setTimeout(connect, 1000 * retries);
      }
    };
  };
  fetch(new URL('/chat/config?key=' + encodeURIComponent(key), base).href, { credentials: 'omit' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (r) {
      cfg = r && r.data;
      if (!cfg || !cfg.enabled) return;
      build();
      d.getElementById('rpc-title').textContent = cfg.greeting;
      if (get()) toggle(true);
    })
    .catch(function () {});
})();
`;

/** The script's ETag (its content's hash: a new release changes it). */
export const CHAT_WIDGET_ETAG = `"${createHash('sha256').update(CHAT_WIDGET_SCRIPT).digest('base64url').slice(0, 27)}"`;
