import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Record forms check values in the browser with the server's own schemas
// (common/fields/field-values.ts): a wrong phone or email is refused before anything is
// sent, in the API's words; what only the server knows (uniqueness) still comes from it.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
const writes: string[] = [];

const PHONE_MESSAGE = 'must be a valid phone number in international format, e.g. +33 1 23 45 67 89';
const EMAIL_MESSAGE = 'must be a valid email address';

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
  page = browser.page;
  page.on('request', (r: Request) => {
    if (r.method() !== 'GET' && new URL(r.url()).pathname.startsWith('/api/v1/contacts')) {
      writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
    }
  });
  await signUpViaApi(page, rapport.url, { name: 'Val Idator', email: uniqueEmail('val'), workspace: 'Checks Co' });
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

/** The message Mantine shows under a field (its aria-describedby error). */
const errorOf = (label: string) =>
  field(page, label).evaluate((el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids
      .map((id) => document.getElementById(id))
      .filter((n) => n?.className.includes('error'))
      .map((n) => n?.textContent ?? '')
      .join('');
  });

describe('client-side validation with the shared schemas', () => {
  it('refuses a bad email as the field is left, and a bad phone on submit, sending nothing', async () => {
    await page.goto(`${rapport.url}/contacts/new`);
    await field(page, 'First name').fill('Grace');
    await field(page, 'Email').fill('grace@');
    await field(page, 'Phone').click(); // leaves Email
    await until('email refused on blur', async () => (await errorOf('Email')) === EMAIL_MESSAGE);
    expect(await field(page, 'Email').getAttribute('aria-invalid')).toBe('true');

    await field(page, 'Phone').fill('12345');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await until('phone refused', async () => (await errorOf('Phone')) === PHONE_MESSAGE);
    expect(await errorOf('Email')).toBe(EMAIL_MESSAGE);
    await until('summary', () => page.getByText('Some fields need attention.').isVisible());
    await page.waitForTimeout(300);
    expect(writes).toEqual([]);
    await browser.shot('forms-01-client-validation');
    await expectAccessible(page, 'a form with client-side errors');

    // Word for word what the API answers for the same values.
    const api = await page.request.post(`${rapport.url}/api/v1/contacts`, {
      data: { firstName: 'Grace', email: 'grace@', phone: '12345' },
    });
    expect(api.status()).toBe(422);
    const errors = ((await api.json()) as { errors: { path: string; message: string }[] }).errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'email', message: EMAIL_MESSAGE },
        { path: 'phone', message: PHONE_MESSAGE },
      ]),
    );
  });

  it('clears a message once the value is right, then saves with one request', async () => {
    await field(page, 'Email').fill('grace@navy.example');
    await field(page, 'Phone').click();
    await until('email fine', async () => (await errorOf('Email')) === '');
    await field(page, 'Phone').fill('+1 202 555 0143');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    // One duplicate pre-check (nothing similar), then the one create.
    expect(writes).toEqual(['POST /api/v1/contacts/duplicates', 'POST /api/v1/contacts']);
    expect(await page.locator('[data-field="phone"] a').getAttribute('href')).toBe('tel:+12025550143');
  });

  it('still shows what only the server knows: a taken email', async () => {
    await page.goto(`${rapport.url}/contacts/new`);
    await field(page, 'First name').fill('Other');
    await field(page, 'Email').fill('GRACE@navy.example');
    await page.getByRole('button', { name: 'Create contact' }).click();
    // The duplicate pre-check finds Grace first; saving again goes to the server, which refuses the email.
    await until('duplicate warning', () => page.getByTestId('duplicate-warning').isVisible());
    await page.getByRole('button', { name: 'Create contact' }).click();
    await until('server says taken', async () => (await errorOf('Email')) === 'is already used by another record');
    expect(writes.filter((w) => w === 'POST /api/v1/contacts')).toEqual([
      'POST /api/v1/contacts',
      'POST /api/v1/contacts',
    ]);
    expect(writes.filter((w) => w === 'POST /api/v1/contacts/duplicates').length).toBeGreaterThanOrEqual(2);
    expect(browser.problems).toEqual([]);
  });
});
