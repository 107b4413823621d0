import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import {
  choose,
  expectNoHorizontalScroll,
  expectTapTargets,
  field,
  signUpViaApi,
  uniqueEmail,
  until,
} from './helpers/ui';

// One story on one real Rapport: an administrator sets the workspace up through the
// administration pages, and a colleague lives with the result.
let rapport: RunningRapport;
let smtp: SmtpSink;
let admin: BrowserSession;
let page: Page;
let colleague: BrowserSession | undefined;

const adminEmail = uniqueEmail('grace');
const colleagueEmail = uniqueEmail('alan');
let contactId = '';
let apiKey = '';

const goAdmin = async (p: Page, path: string) => {
  await p.goto(`${rapport.url}/admin/${path}`);
  await until(`admin page ${path}`, () => p.getByRole('navigation', { name: 'Administration pages' }).isVisible());
};

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  admin = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = admin.page;
  await signUpViaApi(page, rapport.url, { name: 'Grace Hopper', email: adminEmail, workspace: 'Compilers Inc' });
});

afterAll(async () => {
  await colleague?.close();
  await admin?.close();
  await rapport?.stop();
  await smtp?.close();
});

describe('administration in the browser', () => {
  it('an administrator finds Administration in the navigation and invites a colleague', async () => {
    await page.goto(`${rapport.url}/contacts`);
    await page.getByTestId('admin-nav').click();
    await page.waitForURL(/\/admin\/users$/);
    await until('members listed', () => page.getByTestId('member-row').first().isVisible());
    expect(await page.getByTestId('member-row').first().getAttribute('data-email')).toBe(adminEmail);
    await until('no invitations yet', () => page.getByTestId('invitations-empty').isVisible());

    // The server's validation message shows beside the field.
    await field(page, 'Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await until('email error', () =>
      page.getByText(/email/i).and(page.locator('.mantine-TextInput-error')).isVisible(),
    );

    await field(page, 'Email').fill(colleagueEmail);
    await choose(page, 'Role', 'Sales representative');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await until('invitation confirmed', () => page.getByText(`Invitation sent to ${colleagueEmail}`).isVisible());
    await until('invitation listed', () => page.getByTestId('invitations-table').getByText(colleagueEmail).isVisible());
    await admin.shot('admin-01-users');
    await expectAccessible(page, 'the users page');
  });

  it('the colleague joins from the email, and sees no administration', async () => {
    const mail = await smtp.waitForMail(
      (m) => mailTo(m, colleagueEmail) && /accept-invite\?token=/.test(m.text ?? ''),
      60_000,
    );
    expect(JSON.stringify(mail?.to)).toContain(colleagueEmail);
    const link = /https?:\/\/\S+\/accept-invite\?token=[\w%.-]+/.exec(mail?.text ?? '')?.[0];
    expect(link, mail?.text).toBeTruthy();
    colleague = await openBrowser({ viewport: { width: 1280, height: 900 } });
    const p = colleague.page;
    await p.goto(String(link));
    await field(p, 'Your name').fill('Alan Turing');
    await field(p, 'Choose a password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Join Compilers Inc' }).click();
    await p.waitForURL(/\/accounts$/);
    await until('objects nav', () => p.getByRole('navigation', { name: 'Customers' }).isVisible());
    expect(await p.getByTestId('admin-nav').count()).toBe(0);
    // Typing the address anyway: the page says no, and the server refuses the API.
    await p.goto(`${rapport.url}/admin/roles`);
    await until('refused', () => p.getByText('Administrators only').isVisible());
    for (const url of ['/api/v1/roles', '/api/v1/audit-log', '/api/v1/api-keys', '/api/v1/workspace/settings']) {
      const res = await p.request.get(`${rapport.url}${url}`);
      expect(res.status(), url).toBe(403);
      expect(res.headers()['content-type']).toMatch(/application\/problem\+json/);
      expect((await res.json()).code).toBe('forbidden');
    }
    const write = await p.request.post(`${rapport.url}/api/v1/roles`, {
      data: { key: 'sneaky', name: 'Sneaky', permissions: { objects: {}, admin: true } },
      headers: { origin: rapport.url },
    });
    expect(write.status()).toBe(403);
    expect(colleague.problems).toEqual([]);
  });

  it('adds a custom field, with the API’s validation messages', async () => {
    await goAdmin(page, 'fields');
    await choose(page, 'Object', 'Contacts');
    await until('no custom fields', () => page.getByTestId('fields-empty').isVisible());
    await page.getByRole('button', { name: 'Add field' }).click();
    const dialog = page.getByRole('dialog');
    await field(dialog, 'Label').fill('Email');
    await dialog.getByRole('button', { name: 'Add field' }).click();
    await until('name clash reported', () => dialog.getByText('"email" is already a field of contacts').isVisible());

    await field(dialog, 'Label').fill('Loyalty tier');
    expect(await field(dialog, 'API name').inputValue()).toBe('loyaltyTier');
    await choose(page, 'Type', 'Pick one');
    await field(dialog, 'Option 1').fill('');
    await dialog.getByRole('button', { name: 'Add field' }).click();
    await until('options error', () => dialog.getByRole('group', { name: 'Options' }).getByRole('alert').isVisible());
    await field(dialog, 'Option 1').fill('Gold');
    await dialog.getByRole('button', { name: 'Add option' }).click();
    await field(dialog, 'Option 2').fill('Silver');
    await admin.shot('admin-02-custom-field-form');
    await expectAccessible(page, 'the custom field form');
    await dialog.getByRole('button', { name: 'Add field' }).click();
    await until('field listed', () => page.locator('[data-field="loyaltyTier"]').isVisible());
    expect(await page.locator('[data-field="loyaltyTier"]').textContent()).toContain('Pick one (2 options)');
    await admin.shot('admin-03-custom-fields');
    await expectAccessible(page, 'the custom fields page');
  });

  it('adds a sensitive field, encrypted at rest, through the checkbox; fixed once made', async () => {
    await goAdmin(page, 'fields');
    await choose(page, 'Object', 'Leads');
    await page.getByRole('button', { name: 'Add field' }).click();
    const dialog = page.getByRole('dialog');
    const sensitive = dialog.getByRole('checkbox', { name: 'Sensitive (encrypted at rest)' });
    await field(dialog, 'Label').fill('National ID');
    // A type that cannot be encrypted: the box is off and disabled.
    await choose(page, 'Type', 'Money');
    expect(await sensitive.isDisabled()).toBe(true);
    await choose(page, 'Type', 'Text');
    expect(await sensitive.isDisabled()).toBe(false);
    await sensitive.check();
    await expectAccessible(page, 'the custom field form with the sensitive box');
    await dialog.getByRole('button', { name: 'Add field' }).click();
    const row = page.locator('[data-field="nationalId"]');
    await until('sensitive field listed', () => row.isVisible());
    expect(await row.textContent()).toContain('sensitive');
    // The API flag, as the server made it: sensitive and encrypted.
    const meta = await page.request.get(`${rapport.url}/api/v1/objects/leads`);
    const made = ((await meta.json()).data.fields as { name: string }[]).find((f) => f.name === 'nationalId');
    expect(made).toMatchObject({ sensitive: true, encrypted: true });
    // Editing shows it ticked and locked.
    await page.getByRole('button', { name: 'Edit National ID' }).click();
    const locked = page.getByRole('dialog').getByRole('checkbox', { name: 'Sensitive (encrypted at rest)' });
    await until('edit form', () => locked.isVisible());
    expect(await locked.isChecked()).toBe(true);
    expect(await locked.isDisabled()).toBe(true);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(admin.problems).toEqual([]);
  });

  it('creates a role that hides a field, and gives it to the colleague', async () => {
    await goAdmin(page, 'roles');
    await until('roles listed', () => page.getByTestId('roles-table').getByText('Sales representative').isVisible());
    await admin.shot('admin-04-roles');
    await expectAccessible(page, 'the roles page');
    await field(page, 'Name').fill('Field rep');
    expect(await field(page, 'Key').inputValue()).toBe('field_rep');
    await choose(page, 'Start from', 'Sales representative');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.waitForURL(/\/admin\/roles\/field_rep$/);
    const editor = page.getByTestId('role-editor');
    await until('editor', () => editor.isVisible());
    // Contacts: everyone's, not only their own; phone hidden; the custom field read-only.
    await choose(page, 'Scope of Contacts', 'All');
    await choose(page, 'Object', 'Contacts');
    const rules = page.getByTestId('field-rules');
    await rules.locator('[data-field="phone"]').getByText('Hidden', { exact: true }).click();
    await rules.locator('[data-field="loyaltyTier"]').getByText('Read-only', { exact: true }).click();
    await admin.shot('admin-05-role-editor');
    await expectAccessible(page, 'the role editor');
    await page.getByRole('button', { name: 'Save role' }).click();
    await until('saved', () => page.getByText('Saved. Members with this role').isVisible());
    const role = (await (await page.request.get(`${rapport.url}/api/v1/roles`)).json()).data.find(
      (r: { key: string }) => r.key === 'field_rep',
    );
    expect(role.permissions.objects.contacts).toMatchObject({
      scope: 'all',
      fields: { phone: 'hidden', loyaltyTier: 'readOnly' },
    });
    // A sales rep never sees supplier accounts: the copy kept that row rule.
    expect(role.permissions.objects.accounts.where).toEqual({ field: 'type', op: 'ne', value: 'supplier' });

    await goAdmin(page, 'users');
    await until('colleague is a member', () => page.locator(`[data-email="${colleagueEmail}"]`).isVisible());
    await choose(page, 'Role of Alan Turing', 'Field rep');
    await until('role changed', async () => {
      const members = (await (await page.request.get(`${rapport.url}/api/v1/members`)).json()).data;
      return members.some((m: { email: string; role: string }) => m.email === colleagueEmail && m.role === 'field_rep');
    });
    expect(admin.problems).toEqual([]);
  });

  it('the colleague does not see the hidden field in the list, the record page or search; sees the custom field', async () => {
    const res = await page.request.post(`${rapport.url}/api/v1/contacts`, {
      data: { firstName: 'Ada', lastName: 'Byron', phone: '+442079460958', loyaltyTier: 'gold' },
      headers: { origin: rapport.url },
    });
    expect(res.status(), await res.text()).toBe(201);
    contactId = (await res.json()).data.id;
    const p = (colleague as BrowserSession).page;
    await p.goto(`${rapport.url}/contacts`);
    await until('contact listed', () => p.getByTestId('record-link').first().isVisible());
    const headers = await p.getByRole('columnheader').allTextContents();
    expect(headers).toContain('Loyalty tier');
    expect(headers).not.toContain('Phone');
    expect(await p.getByTestId('record-table').textContent()).not.toContain('7946');
    await (colleague as BrowserSession).shot('admin-06-colleague-list');

    await p.goto(`${rapport.url}/contacts/${contactId}`);
    await until('record page', () => p.getByRole('heading', { name: 'Ada Byron' }).isVisible());
    expect(await p.locator('[data-field="loyaltyTier"]').textContent()).toBe('Gold');
    expect(await p.locator('[data-field="phone"]').count()).toBe(0);
    expect(await p.locator('main').textContent()).not.toContain('7946');

    await p.keyboard.press('Control+K');
    const box = p.getByRole('combobox', { name: 'Search records' });
    await box.fill('02079460958');
    await until('nothing found by the hidden phone', () => p.getByText(/Nothing matches/).isVisible());
    await box.fill('byron');
    await until('found by name', () => p.getByRole('option', { name: /Ada Byron/ }).isVisible());
    await p.keyboard.press('Escape');

    // The administrator still sees the phone; the custom field is in the form.
    await page.goto(`${rapport.url}/contacts/${contactId}/edit`);
    await until('form', () => field(page, 'Loyalty tier').isVisible());
    expect(await field(page, 'Phone').inputValue()).toContain('20');
    await choose(page, 'Loyalty tier', 'Silver');
    await page.getByRole('button', { name: /Save/ }).click();
    await page.waitForURL(new RegExp(`/contacts/${contactId}$`));
    await until(
      'saved value',
      async () => (await page.locator('[data-field="loyaltyTier"]').textContent()) === 'Silver',
    );
    expect((colleague as BrowserSession).problems).toEqual([]);
  });

  it('the colleague fills in their own private directory details, which the directory hides from them and shows administrators', async () => {
    const me = colleague as BrowserSession;
    const p = me.page;
    await p.getByRole('button', { name: 'Account menu for Alan Turing' }).click();
    await p.getByRole('menuitem', { name: 'Your directory entry' }).click();
    await p.waitForURL(/\/me$/);
    await until('own entry', () => p.getByRole('heading', { name: 'Alan Turing' }).isVisible());
    await field(p, 'Personal email').fill('not an email');
    await p.getByRole('button', { name: 'Save' }).click();
    await until('email refused', () =>
      p
        .getByText(/valid email/i)
        .first()
        .isVisible(),
    );
    await field(p, 'Personal email').fill('alan@home.example');
    await field(p, 'Date of birth').fill('1912-06-23');
    await field(p, 'Emergency contact').fill('Sara, +447911123456');
    await p.getByRole('button', { name: 'Save' }).click();
    await until('saved', () => p.getByText('Saved.').isVisible());
    await me.shot('admin-13-own-directory-entry');
    // A fresh page for axe: the command palette used earlier in this tab leaves its closed
    // modal root with an aria-label behind (a search-module issue, reported, not this page's).
    await p.reload();
    await until(
      'reloaded with the saved values',
      async () => (await field(p, 'Personal email').inputValue()) === 'alan@home.example',
    );
    expect(await field(p, 'Date of birth').inputValue()).toBe('1912-06-23');
    await expectAccessible(p, 'your directory entry');

    // In the directory itself the private fields are not there for them…
    await p.goto(`${rapport.url}/staff`);
    await until('directory', () => p.getByTestId('record-link').first().isVisible());
    const headers = await p.getByRole('columnheader').allTextContents();
    expect(headers).toContain('Job title');
    expect(headers.join()).not.toMatch(/Personal|birth|Emergency/);
    await p.getByTestId('record-link').filter({ hasText: 'Alan Turing' }).click();
    await until('entry page', () => p.getByRole('heading', { name: 'Alan Turing' }).isVisible());
    expect(await p.locator('main').textContent()).not.toContain('alan@home.example');
    // …and the administrator sees them.
    const entry = (await (await page.request.get(`${rapport.url}/api/v1/staff?sort=displayName`)).json()).data.find(
      (e: { displayName: string }) => e.displayName === 'Alan Turing',
    );
    await page.goto(`${rapport.url}/staff/${entry.id}`);
    await until(
      'private field shown',
      async () => (await page.locator('[data-field="personalEmail"]').textContent()) === 'alan@home.example',
    );
    expect(me.problems).toEqual([]);
  });

  it('creates an API key whose secret is shown once and works from a program, then revokes it', async () => {
    await goAdmin(page, 'api-keys');
    await until('no keys', () => page.getByTestId('api-keys-empty').isVisible());
    await field(page, 'Name').fill('Reporting job');
    await choose(page, 'Role', 'Data analyst');
    await page.getByRole('checkbox', { name: 'Read' }).check();
    await page.getByRole('button', { name: 'Create API key' }).click();
    await until('secret shown', () => page.getByTestId('api-key-secret').isVisible());
    apiKey = (await page.getByTestId('api-key-value').textContent()) ?? '';
    expect(apiKey).toMatch(/^rpk_/);
    await admin.shot('admin-07-api-key-created');
    await expectAccessible(page, 'the API keys page');

    // A program (plain fetch from this test, no cookie) uses it.
    const read = await fetch(`${rapport.url}/api/v1/contacts/${contactId}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { data: { lastName: string } }).data.lastName).toBe('Byron');
    const write = await fetch(`${rapport.url}/api/v1/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lastName: 'Refused' }),
    });
    expect(write.status).toBe(403);
    // Shown once: the list has only its prefix.
    await page.reload();
    await until('listed', () => page.locator('[data-name="Reporting job"]').isVisible());
    expect(await page.locator('body').textContent()).not.toContain(apiKey);

    await page.getByRole('button', { name: 'Revoke Reporting job' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await until('revoked', async () =>
      ((await page.locator('[data-name="Reporting job"]').textContent()) ?? '').includes('revoked'),
    );
    const after = await fetch(`${rapport.url}/api/v1/contacts`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(after.status).toBe(401);
    await admin.shot('admin-08-api-keys');
  });

  it('teams: create, add a member, rename', async () => {
    await goAdmin(page, 'teams');
    await until('no teams', () => page.getByTestId('teams-empty').isVisible());
    await field(page, 'Team name').fill('Cryptanalysis');
    await page.getByRole('button', { name: 'Create team' }).click();
    const card = page.locator('[data-team="Cryptanalysis"]');
    await until('team shown', () => card.isVisible());
    await choose(page, 'Members of Cryptanalysis', 'Alan Turing');
    await until('member added', async () => {
      const teams = (await (await page.request.get(`${rapport.url}/api/v1/teams`)).json()).data;
      return teams[0]?.memberIds.length === 1;
    });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Rename Cryptanalysis' }).click();
    await field(card, 'Team name').fill('Bletchley');
    await card.getByRole('button', { name: 'Save' }).click();
    await until('renamed', () => page.locator('[data-team="Bletchley"]').isVisible());
    await admin.shot('admin-09-teams');
    await expectAccessible(page, 'the teams page');
  });

  it('settings: renames the workspace', async () => {
    await goAdmin(page, 'settings');
    await until('loaded', async () => (await field(page, 'Workspace name').inputValue()) === 'Compilers Inc');
    await field(page, 'Keep the audit log for (days)').fill('10');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await until('retention error', () => page.getByText(/greater than or equal to 30|>=30|at least 30/i).isVisible());
    await field(page, 'Keep the audit log for (days)').fill('400');
    await field(page, 'Workspace name').fill('Compilers International');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await until('saved', () => page.getByText('Settings saved.').isVisible());
    await until(
      'header renamed',
      async () => (await page.getByTestId('workspace-name').textContent()) === 'Compilers International',
    );
    await admin.shot('admin-10-settings');
    await expectAccessible(page, 'the settings page');
  });

  it('the audit log shows these changes, with details from → to, and exports them', async () => {
    await goAdmin(page, 'audit-log');
    await until('entries', () => page.getByTestId('audit-row').first().isVisible());
    const actions = await page
      .getByTestId('audit-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    for (const a of [
      'role.created',
      'role.changed',
      'member.role_changed',
      'record.created',
      'record.updated',
      'team.renamed',
      'workspace.settings_changed',
    ]) {
      expect(actions, a).toContain(a);
    }
    await admin.shot('admin-11-audit-log');
    await expectAccessible(page, 'the audit log');

    // Search: the record's history only.
    await field(page, 'Record id').fill(contactId);
    await page.getByRole('form', { name: 'Search the audit log' }).getByRole('button', { name: 'Search' }).click();
    await until('filtered', async () => {
      const list = await page
        .getByTestId('audit-row')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
      return list.length === 2 && list[0] === 'record.updated' && list[1] === 'record.created';
    });
    await page.getByTestId('audit-row').first().getByRole('button').click();
    const details = page.getByTestId('audit-details');
    await until('details', () => details.isVisible());
    const change = details.getByTestId('audit-changes').getByRole('row', { name: /loyaltyTier/ });
    expect(await change.allTextContents()).toEqual([expect.stringMatching(/loyaltyTier\s*gold\s*silver/)]);
    await admin.shot('admin-12-audit-details');
    await expectAccessible(page, 'the audit entry details');
    await page.keyboard.press('Escape');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,at,action,/);
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual(['record.updated', 'record.created']);
    expect(admin.problems).toEqual([]);
  });

  it('every administration page works at 375 px: no sideways scrolling, 40 px targets, accessible', async () => {
    const phone = await openBrowser({ viewport: { width: 375, height: 740 }, mobile: true });
    try {
      const p = phone.page;
      const signIn = await p.request.post(`${rapport.url}/api/v1/auth/sign-in`, {
        data: { email: adminEmail, password: PASSWORD },
      });
      expect(signIn.status()).toBe(200);
      for (const [i, path] of [
        'users',
        'roles',
        'roles/field_rep',
        'teams',
        'fields',
        'api-keys',
        'audit-log',
        'settings',
      ].entries()) {
        await goAdmin(p, path);
        await p.waitForLoadState('networkidle');
        await expectNoHorizontalScroll(p);
        // A mobile browser widens its layout viewport to fit wide content, so check the phone's own width too.
        const width = await p.evaluate(() => document.documentElement.scrollWidth);
        expect(width, `${path} is ${width}px wide on a 375px phone`).toBeLessThanOrEqual(375);
        await expectTapTargets(p.getByRole('navigation', { name: 'Administration pages' }));
        await expectAccessible(p, `${path} on a phone`);
        await phone.shot(`admin-mobile-${String(i + 1).padStart(2, '0')}-${path.replace('/', '-')}`);
      }
      await goAdmin(p, 'users');
      await expectTapTargets(p.locator('form[aria-label="Invite someone"]'));
      await expectTapTargets(p.getByTestId('members-table'));
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
