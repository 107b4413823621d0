import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { expectNoHorizontalScroll, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// A customer's website on another origin (127.0.0.1, while Rapport is on localhost) carries the
// widget.js tag. A visitor on a phone-sized browser opens the chat and writes; an agent in
// another browser (their own context, signed in to Rapport) goes online in the console, gets
// the chat routed to them, sees the visitor typing, answers, and ends the chat; the visitor
// sees the agent typing, the reply, the read receipt, and rates the chat.
let rapport: RunningRapport;
let agentBrowser: BrowserSession;
let visitorBrowser: BrowserSession;
let agent: Page;
let visitor: Page;
let site: Server;
let siteUrl = '';
let widgetKey = '';
/** The signed-in customer of the site's /account page (a new one for each attempt). */
let knownEmail = '';

/** A choice of the console's presence control (a segmented radio group: its label takes the click). */
const presence = (choice: 'Online' | 'Away' | 'Offline') =>
  agent
    .getByRole('radiogroup')
    .first()
    .locator('label', { hasText: new RegExp(`^${choice}$`) });

beforeAll(async () => {
  rapport = sharedRapport();
  site = createServer((req, res) => {
    if (req.url !== '/' && req.url !== '/account') {
      res.writeHead(404).end();
      return;
    }
    // /account: a signed-in customer's page, which tells the widget who the visitor is.
    const identity =
      req.url === '/account'
        ? `<script>window.rapportChat = { email: '${knownEmail}', name: 'Vera Known' };</script>`
        : '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>
${identity}<script src="${rapport.url}/chat/widget.js" data-key="${widgetKey}" async></script></head>
<body><h1>Our shop</h1><p>Things for sale.</p></body></html>`);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  agentBrowser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  agent = agentBrowser.page;
  await signUpViaApi(agent, rapport.url, { name: 'Alex Agent', email: uniqueEmail('alex'), workspace: 'Shop Co' });
  visitorBrowser = await openBrowser({ viewport: { width: 375, height: 720 }, mobile: true });
  visitor = visitorBrowser.page;
});

afterAll(async () => {
  await visitorBrowser?.close();
  await agentBrowser?.close();
  await rapport?.stop();
  await new Promise((r) => site?.close(r));
});

describe('live chat in the browser', () => {
  it('a visitor on a phone chats with an agent in the console: typing, reply, read receipt, rating', async () => {
    // The administrator turns the chat on and takes the widget key from the script tag.
    await agent.goto(`${rapport.url}/admin/chat`);
    await agent.getByLabel('Chat on').check();
    await agent.getByLabel('Greeting').fill('Hello from Shop Co');
    await agent.getByRole('button', { name: 'Save' }).click();
    await agent.getByText('Saved.').waitFor();
    const snippet = (await agent.getByTestId('chat-snippet').textContent()) ?? '';
    widgetKey = /data-key="([^"]+)"/.exec(snippet)?.[1] ?? '';
    expect(snippet).toContain(`${rapport.url}/chat/widget.js`);

    // The agent goes online in the console.
    await agent.goto(`${rapport.url}/chat`);
    await agent.getByRole('heading', { name: 'Live chat' }).waitFor();
    await presence('Online').click();
    await until('the agent is online', async () => (await agent.getByText('0 active chats').count()) > 0);

    // The visitor opens the chat from the keyboard and writes.
    await visitor.goto(`${siteUrl}/`);
    const launcher = visitor.getByRole('button', { name: 'Chat with us' });
    await launcher.waitFor();
    await launcher.focus();
    await visitor.keyboard.press('Enter');
    const dialog = visitor.getByRole('dialog', { name: 'Hello from Shop Co' });
    await dialog.waitFor();
    const log = dialog.getByRole('log', { name: 'Conversation' });
    await log.getByText('Hello from Shop Co').waitFor();
    await expectNoHorizontalScroll(visitor);
    const input = dialog.getByLabel('Your message');
    await input.fill('Do you ship to Norway?');
    await input.press('Enter');
    await log.getByText('Do you ship to Norway?').waitFor();
    await expectAccessible(visitor, 'the chat widget on a phone');

    // Routed to the online agent: it is in their active list; they open it.
    await agent
      .getByRole('button', { name: /Visitor/ })
      .first()
      .click();
    const agentLog = agent.getByRole('log', { name: 'Conversation' });
    await agentLog.getByText('Do you ship to Norway?').waitFor();
    // The open chat has an address of its own.
    await agent.waitForURL(/\/chat\/[0-9a-f-]{36}$/);
    // Opening it was reading it: the visitor's message shows as seen.
    await dialog.getByText('Seen').waitFor();
    await expectAccessible(agent, 'the agent console with an open chat');

    // The visitor types: the agent sees it.
    await input.pressSequentially('Also', { delay: 20 });
    await agent.getByText('The visitor is typing…').waitFor();
    await input.fill('');

    // The agent types (the visitor sees it) and answers.
    const reply = agent.getByRole('textbox', { name: 'Reply' });
    await reply.pressSequentially('Yes, we do', { delay: 20 });
    await dialog.getByText('The agent is typing…').waitFor();
    await reply.fill('Yes, we ship to Norway in 3 days.');
    await agent.getByRole('button', { name: 'Send' }).click();
    await log.getByText('Yes, we ship to Norway in 3 days.').waitFor();
    await expect.poll(() => log.getByText('Alex Agent').count()).toBeGreaterThan(0);

    // Files both ways: the visitor attaches a photo, the agent sends a label back.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2048, 1)]);
    await visitor.locator('#rpc-file').setInputFiles({ name: 'broken-box.png', mimeType: 'image/png', buffer: png });
    await log.getByRole('button', { name: /broken-box\.png/ }).waitFor();
    const photo = agentLog.getByTestId('chat-file').filter({ hasText: 'broken-box.png' });
    await photo.waitFor();
    const fetched = await agent.request.get(`${rapport.url}${await photo.getAttribute('href')}`);
    expect(fetched.status()).toBe(200);
    expect(fetched.headers()['content-type']).toBe('image/png');
    expect(Buffer.from(await fetched.body()).equals(png)).toBe(true);
    await agent.locator('input[type="file"]').setInputFiles({
      name: 'return-label.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n% return label\n'),
    });
    await agent.getByRole('button', { name: 'Send' }).click();
    const label = log.getByRole('button', { name: /return-label\.pdf/ });
    await label.waitFor();
    const [download] = await Promise.all([visitor.waitForEvent('download'), label.click()]);
    expect(download.suggestedFilename()).toBe('return-label.pdf');

    // The agent ends the chat; the visitor rates it.
    await agent.getByRole('button', { name: 'End chat' }).click();
    await dialog.getByText('How did we do?').waitFor();
    await dialog.getByRole('button', { name: '5 out of 5' }).click();
    await dialog.getByLabel('Comment (optional)').fill('Very helpful');
    await dialog.getByRole('button', { name: 'Send rating' }).click();
    await dialog.getByText('Thank you for your feedback!').waitFor();
    await agent.getByText('Rating: 5/5 — Very helpful').waitFor();

    // Escape closes the chat and gives the focus back to the launcher.
    await dialog.getByRole('button', { name: 'Close chat' }).focus();
    await visitor.keyboard.press('Escape');
    await until('the dialog closed', async () => !(await dialog.isVisible()));
    expect(await visitor.evaluate(() => document.activeElement?.id)).toBe('rpc-launch');

    expect(visitorBrowser.problems).toEqual([]);
    expect(agentBrowser.problems).toEqual([]);
  });

  it('with nobody online the visitor leaves a message that becomes a ticket', async () => {
    await presence('Offline').click();
    await until('the agent is offline', async () => {
      const r = await agent.request.get(`${rapport.url}/api/v1/chat/presence`);
      return (await r.json()).data.status === 'offline';
    });
    const page = await visitorBrowser.context.newPage();
    await page.goto(`${siteUrl}/`);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await page.getByText('Nobody is available right now').waitFor();
    await page.getByLabel('Your name').fill('Olga Offline');
    await page.getByLabel('Your email').fill('olga@example.com');
    await page.getByLabel('Message', { exact: true }).fill('Please call me back about my order');
    await page.getByRole('button', { name: 'Send message' }).click();
    const thanks = await page.getByText(/We opened ticket #\d+/).textContent();
    const number = Number(/#(\d+)/.exec(thanks ?? '')?.[1]);
    const tickets = await agent.request.get(`${rapport.url}/api/v1/tickets`);
    const ticket = (await tickets.json()).data.find((t: { number: number }) => t.number === number);
    expect(ticket).toMatchObject({ channel: 'chat', subject: 'Chat: Please call me back about my order' });
    await page.close();
  });

  it('a chat opens in the console from the contact’s service card and timeline (/chat/<id>)', async () => {
    knownEmail = uniqueEmail('vera');
    const created = await agent.request.post(`${rapport.url}/api/v1/contacts`, {
      data: { firstName: 'Vera', lastName: 'Known', email: knownEmail },
    });
    expect(created.status(), await created.text()).toBe(201);
    const contactId = (await created.json()).data.id as string;
    await agent.goto(`${rapport.url}/chat`);
    await presence('Online').click();
    await until('the agent is online', async () => {
      const r = await agent.request.get(`${rapport.url}/api/v1/chat/presence`);
      return (await r.json()).data.status === 'online';
    });

    // A signed-in customer chats from their account page: the chat is linked to the contact.
    const page = await visitorBrowser.context.newPage();
    await page.goto(`${siteUrl}/account`);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const dialog = page.getByRole('dialog', { name: 'Hello from Shop Co' });
    const visitorLog = dialog.getByRole('log', { name: 'Conversation' });
    await visitorLog.getByText('Hello from Shop Co').waitFor();
    const input = dialog.getByLabel('Your message');
    await input.fill('Where is my blue teapot?');
    await input.press('Enter');
    await visitorLog.getByText('Where is my blue teapot?').waitFor();
    let chatId = '';
    await until('the chat is routed to the agent', async () => {
      const r = await agent.request.get(`${rapport.url}/api/v1/chats?status=active`);
      const chat = ((await r.json()).data as { id: string; contactId: string | null }[]).find(
        (c) => c.contactId === contactId,
      );
      chatId = chat?.id ?? '';
      return !!chat;
    });
    await until('the visitor’s message arrived', async () => {
      const r = await agent.request.get(`${rapport.url}/api/v1/chats/${chatId}`);
      return JSON.stringify((await r.json()).data.messages).includes('blue teapot');
    });
    const ended = await agent.request.post(`${rapport.url}/api/v1/chats/${chatId}/end`);
    expect(ended.status(), await ended.text()).toBe(200);
    await page.close();

    // From the service card's recent chats.
    await agent.goto(`${rapport.url}/contacts/${contactId}`);
    const service = agent.getByRole('region', { name: 'Service' });
    await service.getByRole('link', { name: /^Open the chat of .* in the console$/ }).click();
    await agent.waitForURL(`${rapport.url}/chat/${chatId}`);
    const log = agent.getByRole('log', { name: 'Conversation' });
    await log.getByText('Where is my blue teapot?').waitFor();
    await expectAccessible(agent, 'the console opened on a chat by its link');

    // From the chat's entry on the contact's timeline.
    await agent.goto(`${rapport.url}/contacts/${contactId}`);
    await agent.getByRole('heading', { name: 'Timeline' }).waitFor();
    await agent.getByRole('link', { name: 'Open the chat', exact: true }).click();
    await agent.waitForURL(`${rapport.url}/chat/${chatId}`);
    await log.getByText('Where is my blue teapot?').waitFor();

    // The link itself, typed or shared, opens the same chat.
    await agent.goto(`${rapport.url}/chat/${chatId}`);
    await log.getByText('Where is my blue teapot?').waitFor();
    expect(agentBrowser.problems).toEqual([]);
  });
});
