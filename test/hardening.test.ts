import type { LightMyRequestResponse } from 'fastify';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, STRONG_PASSWORD, signUp, type TestApp, uniqueEmail } from './helpers/app';
import { ENGINE } from './helpers/engine';
import { buildContact, buildTicket } from './helpers/factories';
import { client, type HttpClient } from './helpers/http';

/**
 * Issue 23 point 8: the hardening of the HTTP surface, checked from outside. Parts that
 * have their own thorough tests are only named here, not repeated:
 * - CSRF (Origin of cookie-authenticated writes, loopback and port rules): server/platform/workspaces/auth.test.ts
 * - login throttling (per account and address, raced, audited): server/platform/auth/sign-in-guard.test.ts
 * - the CSV cell rule itself (=, +, -, @, tab, CR): server/platform/http/csv.test.ts
 * - sniffing of inbound mail attachments: server/modules/tickets/service-desk.test.ts
 * This file fills the gaps: the CSP directives, HSTS only over https (and X-Forwarded-Proto only from a
 * trusted proxy), the session cookie's flags, a cross-site write announced by Sec-Fetch-Site alone,
 * formula text in a record export and in an XLSX report, and an agent's upload disguised as a PDF.
 */

const setCookies = (res: LightMyRequestResponse) => {
  const raw = res.headers['set-cookie'];
  return Array.isArray(raw) ? raw : raw ? [raw] : [];
};
/** The session cookie (named `__Secure-rapport.session_token` when Secure, so browsers refuse it over http). */
const sessionSetCookie = (res: LightMyRequestResponse) =>
  setCookies(res).find((c) => /^(__Secure-)?rapport\.session_token=/.test(c)) ?? '';

describe(`hardening (${ENGINE})`, () => {
  /** Behind a TLS-terminating proxy: https base URL, X-Forwarded-* trusted. */
  let tls: TestApp;
  /** The default: plain http, no proxy trusted. */
  let plain: TestApp;
  let admin: SignedUp;
  let api: HttpClient;

  beforeAll(async () => {
    [tls, plain] = await Promise.all([
      createTestApp({ baseUrl: 'https://crm.example', trustProxy: true }),
      createTestApp(),
    ]);
    admin = await signUp(plain.app, { workspaceName: 'Hardened' });
    api = client(plain, admin);
  });
  afterAll(async () => {
    await Promise.all([tls?.stop(), plain?.stop()]);
  });

  it('sends a strict Content-Security-Policy on pages and API answers', async () => {
    for (const url of ['/health', '/api/v1/contacts', '/no-such-page']) {
      const res = await plain.app.inject({ method: 'GET', url });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("object-src 'none'");
      expect(csp, url).toContain("base-uri 'self'");
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
    // Over plain http the CSP does not ask browsers to upgrade every request.
    expect(String((await plain.app.inject({ url: '/health' })).headers['content-security-policy'])).not.toContain(
      'upgrade-insecure-requests',
    );
    expect(String((await tls.app.inject({ url: '/health' })).headers['content-security-policy'])).toContain(
      'upgrade-insecure-requests',
    );
  });

  it('sends HSTS only over https: behind a trusted proxy saying so, never over plain http', async () => {
    const viaProxy = await tls.app.inject({ url: '/health', headers: { 'x-forwarded-proto': 'https' } });
    const hsts = String(viaProxy.headers['strict-transport-security']);
    expect(hsts).toMatch(/max-age=(\d+)/);
    expect(Number(hsts.match(/max-age=(\d+)/)?.[1])).toBeGreaterThanOrEqual(15_552_000); // 180 days at least
    expect(hsts).toContain('includeSubDomains');
    // The same server reached over plain http (a health check inside the network): no HSTS.
    expect((await tls.app.inject({ url: '/health' })).headers['strict-transport-security']).toBeUndefined();
    // Without a trusted proxy, X-Forwarded-Proto is anybody's word: ignored.
    const forged = await plain.app.inject({ url: '/health', headers: { 'x-forwarded-proto': 'https' } });
    expect(forged.headers['strict-transport-security']).toBeUndefined();
    // Errors carry it too (the hook runs before routing).
    const missing = await tls.app.inject({ url: '/api/v1/nothing', headers: { 'x-forwarded-proto': 'https' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['strict-transport-security']).toBeDefined();
  });

  it('sets the session cookie HttpOnly and SameSite=Lax everywhere, and Secure behind https', async () => {
    const payload = { name: 'Cookie', email: uniqueEmail('cookie'), password: STRONG_PASSWORD, workspaceName: 'C' };
    const overTls = await tls.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      headers: { 'x-forwarded-proto': 'https', origin: 'https://crm.example' },
      payload,
    });
    expect(overTls.statusCode, overTls.body).toBe(201);
    const secure = sessionSetCookie(overTls);
    expect(secure).toMatch(/^__Secure-rapport\.session_token=/);
    expect(secure).toMatch(/;\s*HttpOnly/i);
    expect(secure).toMatch(/;\s*Secure/i);
    expect(secure).toMatch(/;\s*SameSite=Lax/i);
    expect(secure).toMatch(/;\s*Path=\//i);

    const signIn = await plain.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: admin.email, password: STRONG_PASSWORD },
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    const local = sessionSetCookie(signIn);
    expect(local).toMatch(/;\s*HttpOnly/i);
    expect(local).toMatch(/;\s*SameSite=Lax/i);
    // Over plain http a Secure cookie would never come back: not set.
    expect(local).not.toMatch(/;\s*Secure/i);
    // Every cookie the server sets is HttpOnly (none is meant for scripts).
    for (const c of [...setCookies(overTls), ...setCookies(signIn)]) expect(c).toMatch(/;\s*HttpOnly/i);
  });

  it('refuses a cookie-authenticated write the browser marks cross-site, and writes nothing', async () => {
    const before = (await api.get('/api/v1/contacts')).json().data.length;
    const res = await plain.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: { cookie: admin.cookie, 'sec-fetch-site': 'cross-site' },
      payload: { lastName: 'Forged' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('csrf_rejected');
    const evil = await plain.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie: admin.cookie, origin: 'https://evil.example' },
      payload: { name: 'Pwned' },
    });
    expect(evil.statusCode).toBe(403);
    expect((await api.get('/api/v1/contacts')).json().data.length).toBe(before);
  });

  it('neutralises formula text (= + - @) in a CSV export and keeps it inert text in an XLSX report', async () => {
    const hostile = ['=HYPERLINK("http://evil.example","x")', '+41 22 1234', '-2+3', '@SUM(A1:A9)'];
    for (const firstName of hostile) await buildContact(api, { firstName, lastName: 'Formula' });
    const filter = encodeURIComponent(JSON.stringify({ field: 'lastName', op: 'eq', value: 'Formula' }));
    const csv = await api.get(`/api/v1/contacts/export?fields=firstName,lastName&filter=${filter}`);
    expect(csv.statusCode, csv.body).toBe(200);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.replace(/^[0-9a-f-]{36},/, '')); // the id column comes first
    expect(lines.sort()).toEqual(
      [
        `"'=HYPERLINK(""http://evil.example"",""x"")",Formula`,
        `"'+41 22 1234",Formula`,
        `"'-2+3",Formula`,
        `"'@SUM(A1:A9)",Formula`,
      ].sort(),
    );
    for (const line of lines) expect(line).toMatch(/^"'/); // no cell starts with a formula character

    const xlsx = await api.call('POST', '/api/v1/reports/run?format=xlsx', {
      object: 'contacts',
      filter: { field: 'lastName', op: 'eq', value: 'Formula' },
      groupBy: [{ field: 'firstName' }],
      measures: [{ op: 'count', as: 'n' }],
    });
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    const sheet = strFromU8(unzipSync(new Uint8Array(xlsx.rawPayload))['xl/worksheets/sheet1.xml'] as Uint8Array);
    // No formula cell at all; each hostile value is an inline string (shown as text, never evaluated).
    expect(sheet).not.toMatch(/<f[ >]/);
    for (const v of hostile) {
      const escaped = v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
      expect(sheet).toMatch(
        new RegExp(`t="inlineStr"><is><t xml:space="preserve">${escaped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</t>`),
      );
    }
  });

  it('an uploaded file is typed from its bytes: HTML disguised as a PDF is served as inert text', async () => {
    const ticket = await buildTicket(api, { subject: 'Disguised upload' });
    const html = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>');
    const res = await api.post(`/api/v1/tickets/${ticket.id}/messages`, {
      kind: 'note',
      body: 'see attached',
      attachments: [{ filename: 'invoice.pdf', contentBase64: html.toString('base64') }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const [file] = res.json().data.attachments;
    expect(file.contentType).toBe('text/plain');
    const download = await api.get(file.url);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).not.toMatch(/html|pdf/);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-disposition']).toMatch(/^attachment;/);
    expect(String(download.headers['content-security-policy'])).toContain('sandbox');
  });

  it('throttles repeated wrong passwords for one account (429 with Retry-After)', async () => {
    const u = await signUp(plain.app);
    const statuses: number[] = [];
    let last: LightMyRequestResponse | undefined;
    for (let i = 0; i < 8; i++) {
      last = await plain.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: u.email, password: 'not the password' },
        remoteAddress: '10.9.0.1',
      });
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('the CI dependency audit (scripts/audit.mjs)', () => {
  it('fails on high or critical advisories, passes with a warning only when the registry refuses the audit', async () => {
    // @ts-expect-error a plain .mjs script without types
    const { verdict } = (await import('../scripts/audit.mjs')) as {
      verdict(status: number, stdout: string, stderr: string): { code: number; warning?: boolean; message: string };
    };
    const report = (vulns: Record<string, number>, list: Record<string, unknown> = {}) =>
      JSON.stringify({ vulnerabilities: list, metadata: { vulnerabilities: { total: 0, ...vulns } } });
    expect(verdict(0, report({ low: 2, moderate: 1 }), '')).toMatchObject({ code: 0 });
    const bad = verdict(
      1,
      report({ high: 1 }, { lodash: { name: 'lodash', severity: 'high', range: '<4.17.21', fixAvailable: true } }),
      '',
    );
    expect(bad.code).toBe(1);
    expect(bad.message).toContain('high: lodash (<4.17.21), fix available');
    expect(verdict(1, report({ critical: 1 }), '').code).toBe(1);
    // What this machine's registry answers: 405 to the bulk advisory endpoint.
    const refused = verdict(
      1,
      JSON.stringify({
        message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
        statusCode: 405,
      }),
      'npm error audit endpoint returned an error\n',
    );
    expect(refused).toMatchObject({ code: 0, warning: true });
    expect(refused.message).toContain('audit endpoint unavailable');
    // No network is not a refusal: it fails.
    expect(verdict(1, '', 'npm error code ENOTFOUND\nnpm error network request failed').code).toBe(1);
  });
});
