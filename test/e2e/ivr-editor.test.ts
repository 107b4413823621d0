import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentWav } from '../../server/modules/telephony/audio-sniff';
import voiceFixture from '../fixtures/twilio/voice-request.json';
import { newAccountSid, newCallSid, postAsTwilio } from '../helpers/twilio-fake';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// An administrator builds an IVR flow in the editor (Administration → IVR flows): a greeting,
// a menu whose key 1 goes to a queue and key 2 to a self-service answer (object and field
// picked from the workspace's objects). A flow that names a removed node, or an answer
// without a field, is refused by the server's contract, and the editor shows the problem on
// the node; once whole it saves as a new version, and a call to a number answering with it
// hears exactly what was typed and picked.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
const account = { sid: newAccountSid(), authToken: randomBytes(16).toString('hex') };

const twilioPost = (url: string, params: Record<string, string>) => postAsTwilio(account.authToken, url, params);

/** Picks `option` in the Mantine select labelled `label` inside `root` (a node's card). */
async function pick(root: Locator, label: string, option: string) {
  await field(root, label).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

const node = (id: string) => page.getByRole('listitem', { name: `Node ${id}` });

async function addNode(kind: string) {
  await page.getByRole('button', { name: 'Add node' }).click();
  await page.getByRole('menuitem', { name: kind }).click();
}

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
  await signUpViaApi(page, rapport.url, { name: 'Ivy Admin', email: uniqueEmail('ivy'), workspace: 'Ivr Co' });
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('the IVR flow editor', () => {
  it('builds a menu flow, shows the contract’s problems on the node, and callers hear the saved version', async () => {
    await page.goto(`${rapport.url}/admin/ivr-flows`);
    await page.getByRole('heading', { name: 'IVR flows' }).waitFor();
    await page.getByRole('link', { name: 'Default' }).waitFor();
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByRole('list', { name: 'Nodes' }).waitFor();
    const flowId = /\/admin\/ivr-flows\/([0-9a-f-]{36})/.exec(page.url())?.[1] as string;
    expect(flowId).toBeTruthy();

    await field(page, 'Name').fill('Support line');
    await field(node('greeting'), 'Greeting: text').fill('Welcome to Ivr Co.');
    await addNode('Menu (press a key)');
    await field(node('menu'), 'Menu prompt: text').fill('For support, press 1.');
    await addNode('Queue');
    await field(node('queue'), 'Queue').fill('helpdesk');
    // Before queueing, a recording uploaded from the editor: a file that is not audio is refused.
    const queue = node('queue');
    await queue.getByText('Before queueing: say something first').click();
    await queue.getByText('Recorded audio').click();
    const uploadFile = async (name: string, mimeType: string, buffer: Buffer) => {
      const chooser = page.waitForEvent('filechooser');
      await queue.getByRole('button', { name: 'Before queueing: upload a recording' }).click();
      await (await chooser).setFiles({ name, mimeType, buffer });
    };
    await uploadFile('notes.mp3', 'audio/mpeg', Buffer.from('not a sound at all'));
    await queue.getByText('Not uploaded: the file must be an MP3 or WAV audio file').waitFor();
    await uploadFile('please-hold.wav', 'audio/wav', silentWav(2));
    await expect.poll(() => field(queue, 'Before queueing: recording').inputValue()).toBe('please-hold (2 s)');
    await queue.getByLabel('Listen to please-hold').waitFor();
    await node('menu').getByRole('button', { name: 'Add key' }).click();
    await pick(node('menu'), 'Key 1 goes to', 'queue');

    // The greeting still leads to the hang-up node, which is removed: the server refuses the flow.
    await page.getByRole('button', { name: 'Remove node hangup' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await node('greeting').getByText('next: names no node: hangup').waitFor();
    await expectAccessible(page, 'the IVR flow editor with a problem');

    await pick(node('greeting'), 'Then', 'menu');

    // Key 2: a self-service answer. Its object and field are picked from the workspace's objects
    // as the server accepts them: objects that are or point at the caller, no sensitive field.
    await addNode('Self-service answer');
    const answerCard = node('answer');
    await expect.poll(() => field(answerCard, 'Object').inputValue()).toBe('Opportunities');
    await expect.poll(() => field(answerCard, 'Field said').inputValue()).toBe('Stage');
    await field(answerCard, 'Object').click();
    await page.getByRole('option', { name: 'Tickets', exact: true }).waitFor();
    expect(await page.getByRole('option', { name: 'Products', exact: true }).count()).toBe(0);
    await page.getByRole('option', { name: 'Contacts', exact: true }).click();
    // Another object: the field is chosen again, and the opportunity filter is gone.
    await expect.poll(() => field(answerCard, 'Field said').inputValue()).toBe('');
    expect(await field(answerCard, 'Only records matching (filter, JSON)').inputValue()).toBe('');
    await field(answerCard, 'Field said').click();
    await page.getByRole('option', { name: 'Job title', exact: true }).waitFor();
    expect(await page.getByRole('option', { name: 'Lifecycle stage', exact: true }).count()).toBe(1);
    expect(await page.getByRole('option', { name: 'Birthday', exact: true }).count()).toBe(0); // sensitive
    expect(await page.getByRole('option', { name: 'Account', exact: true }).count()).toBe(0); // not said aloud
    await page.keyboard.press('Escape');
    await field(answerCard, 'Said when found').fill('Your job title is {{value}}.');
    await node('menu').getByRole('button', { name: 'Add key' }).click();
    await pick(node('menu'), 'Key 2 goes to', 'answer');
    // No field chosen: the server's contract refuses the flow and the card says why.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await answerCard.getByText(/^field: /).waitFor();
    await pick(answerCard, 'Field said', 'Job title');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2.' }).waitFor();
    expect(await page.getByText('Not saved').count()).toBe(0);

    const flows = (await (await page.request.get(`${rapport.url}/api/v1/telephony/flows`)).json()).data as {
      id: string;
      name: string;
      version: number;
      definition: { start: string; nodes: Record<string, unknown>[] };
    }[];
    const saved = flows.find((f) => f.id === flowId);
    expect(saved?.name).toBe('Support line');
    expect(saved?.version).toBe(2);
    expect(saved?.definition.nodes.find((n) => n.id === 'menu')?.options).toEqual({ '1': 'queue', '2': 'answer' });
    const savedAnswer = saved?.definition.nodes.find((n) => n.id === 'answer');
    expect(savedAnswer).toMatchObject({ object: 'contacts', field: 'title', say: 'Your job title is {{value}}.' });
    expect(savedAnswer?.filter).toBeUndefined();

    // A number answering with the flow: the caller hears the greeting and the menu, presses 1, is queued.
    const num = await page.request.post(`${rapport.url}/api/v1/telephony/numbers`, {
      data: {
        provider: 'twilio',
        phoneNumber: '+14155550171',
        accountSid: account.sid,
        authToken: account.authToken,
        flowId,
      },
    });
    expect(num.status(), await num.text()).toBe(201);
    const { voiceUrl } = (await num.json()).data as { voiceUrl: string };
    const params = {
      ...voiceFixture.params,
      AccountSid: account.sid,
      CallSid: newCallSid(),
      From: '+12025550188',
      Caller: '+12025550188',
      To: '+14155550171',
      Called: '+14155550171',
    };
    const answer = await twilioPost(voiceUrl, params);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<Say language="en-US">Welcome to Ivr Co.</Say>');
    expect(answer.body).toMatch(/<Gather [^>]*><Say language="en-US">For support, press 1.<\/Say><\/Gather>/);
    const action = /<Gather[^>]* action="([^"]+)"/.exec(answer.body)?.[1]?.replaceAll('&amp;', '&') as string;
    const queued = await twilioPost(action, { ...params, ...voiceFixture.gather.params, Digits: '1' });
    expect(queued.body).toMatch(
      /<Play>http[^<]+\/api\/v1\/telephony\/audio\/[0-9a-f-]{36}\/file\?expires=\d+&amp;signature=[^<]+<\/Play><Enqueue [^>]*>helpdesk<\/Enqueue>/,
    );
    const played = /<Play>([^<]+)<\/Play>/.exec(queued.body)?.[1]?.replaceAll('&amp;', '&') as string;
    const audio = await fetch(played);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    await until('the call logs the path through the saved version', async () => {
      const calls = (await (await page.request.get(`${rapport.url}/api/v1/calls`)).json()).data as {
        from: string;
        ivrPath: { node: string; flowVersion?: number }[];
      }[];
      const path = calls.find((c) => c.from === '+12025550188')?.ivrPath ?? [];
      return path.some((s) => s.node === 'queue' && s.flowVersion === 2);
    });

    // A known caller presses 2 and hears the field picked in the editor, read from their contact.
    const known = await page.request.post(`${rapport.url}/api/v1/contacts`, {
      data: { firstName: 'Tink', lastName: 'Erer', phone: '+1 202 555 0189', title: 'Chief Tinkerer' },
    });
    expect(known.status(), await known.text()).toBe(201);
    const second = { ...params, CallSid: newCallSid(), From: '+12025550189', Caller: '+12025550189' };
    const menu = await twilioPost(voiceUrl, second);
    const menuAction = /<Gather[^>]* action="([^"]+)"/.exec(menu.body)?.[1]?.replaceAll('&amp;', '&') as string;
    const told = await twilioPost(menuAction, { ...second, ...voiceFixture.gather.params, Digits: '2' });
    expect(told.status).toBe(200);
    expect(told.body).toContain('<Say language="en-US">Your job title is Chief Tinkerer.</Say>');
  });

  it('an hours node follows a business calendar of the service desk, picked in the editor', async () => {
    const cal = await page.request.post(`${rapport.url}/api/v1/business-calendars`, {
      data: {
        name: 'Weekdays nine to five',
        timeZone: 'Europe/London',
        weeklyHours: { mon: [{ start: '09:00', end: '17:00' }] },
      },
    });
    expect(cal.status(), await cal.text()).toBe(201);
    const calendarId = (await cal.json()).data.id as string;
    await page.goto(`${rapport.url}/admin/ivr-flows`);
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByRole('list', { name: 'Nodes' }).waitFor();
    const flowId = /\/admin\/ivr-flows\/([0-9a-f-]{36})/.exec(page.url())?.[1] as string;
    await addNode('Business hours');
    await pick(node('hours'), 'Business calendar', 'Weekdays nine to five');
    await pick(node('hours'), 'When open', 'greeting');
    await pick(node('hours'), 'When closed', 'hangup');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2.' }).waitFor();
    const flows = (await (await page.request.get(`${rapport.url}/api/v1/telephony/flows`)).json()).data as {
      id: string;
      definition: { nodes: Record<string, unknown>[] };
    }[];
    expect(flows.find((f) => f.id === flowId)?.definition.nodes.find((n) => n.id === 'hours')).toMatchObject({
      kind: 'hours',
      calendarId,
      closed: 'hangup',
    });
  });
});
