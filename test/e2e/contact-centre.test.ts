import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import voiceFixture from '../fixtures/twilio/voice-request.json';
import { newAccountSid, newCallSid, postAsTwilio } from '../helpers/twilio-fake';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { expectTapTargets, field, uniqueEmail, until } from './helpers/ui';

// An agent in the browser goes available in the contact centre; a customer calls the number
// (Twilio's signed webhooks, posted from here as Twilio would), presses 2 for support and is
// routed to the agent, whose page shows the caller's records (screen-pop over the WebSocket);
// the call ends and the agent saves the wrap-up, which completes the call record; the day's
// queue figures are then on the reports' service dashboard; and the agent calls Ada back from
// her page through the provider (click-to-call).
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
const account = { sid: newAccountSid(), authToken: randomBytes(16).toString('hex') };

const twilioPost = (url: string, params: Record<string, string>) => postAsTwilio(account.authToken, url, params);

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
  const res = await page.request.post(`${rapport.url}/api/v1/auth/sign-up`, {
    data: {
      name: 'Casey Agent',
      email: uniqueEmail('casey'),
      password: PASSWORD,
      workspaceName: 'Phone Co',
    },
  });
  expect(res.status(), await res.text()).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('the contact centre in the browser', () => {
  it('a routed call pops the caller’s records on the agent’s page; the wrap-up completes the call', async () => {
    const api = page.request;
    const num = await api.post(`${rapport.url}/api/v1/telephony/numbers`, {
      data: { provider: 'twilio', phoneNumber: '+14155550160', accountSid: account.sid, authToken: account.authToken },
    });
    expect(num.status(), await num.text()).toBe(201);
    const { voiceUrl, statusCallbackUrl } = (await num.json()).data;
    const contact = (
      await (
        await api.post(`${rapport.url}/api/v1/contacts`, {
          data: { firstName: 'Ada', lastName: 'Byron', phone: '+1 202 555 0177' },
        })
      ).json()
    ).data;
    await api.post(`${rapport.url}/api/v1/tickets`, { data: { subject: 'Broken widget', contactId: contact.id } });

    await page.goto(`${rapport.url}/contact-centre`);
    await page.getByRole('heading', { name: 'Contact centre' }).waitFor();
    await page.getByLabel('My phone').fill('+12025550002');
    await page.getByRole('button', { name: 'Busy' }).click();
    await page.getByRole('status').getByText('Busy').waitFor();
    await page.getByRole('button', { name: 'Available' }).click();
    await page.getByRole('status').getByText('Available').waitFor();
    // An administrator orders the agents: Casey becomes a backup (priority 3), still the only one.
    const agentsTable = page.getByRole('region', { name: 'Agents', exact: true });
    await field(agentsTable, 'Priority of Casey Agent').click();
    await page.getByRole('option', { name: '3', exact: true }).click();
    await until('the priority is saved', async () => {
      const agents = (await (await api.get(`${rapport.url}/api/v1/telephony/agents`)).json()).data;
      return agents[0]?.priority === 3;
    });
    await expectAccessible(page, 'the agent desktop, available');

    const params = {
      ...voiceFixture.params,
      AccountSid: account.sid,
      CallSid: newCallSid(),
      From: '+12025550177',
      Caller: '+12025550177',
      To: '+14155550160',
      Called: '+14155550160',
    };
    const greeting = await twilioPost(voiceUrl, params);
    expect(greeting.status).toBe(200);
    const action = /<Gather[^>]* action="([^"]+)"/.exec(greeting.body)?.[1]?.replaceAll('&amp;', '&') as string;
    const routed = await twilioPost(action, {
      ...params,
      ...voiceFixture.gather.params,
      CallStatus: 'in-progress',
      Digits: '2',
    });
    expect(routed.body).toContain('+12025550002</Dial>');

    const pop = page.getByRole('region', { name: 'Incoming call' });
    await pop.getByText('Call from Ada Byron').waitFor();
    await pop.getByRole('link', { name: 'Ada Byron' }).waitFor();
    await pop.getByText('Broken widget').waitFor();
    // The support queue's call script (the default flow's).
    await pop.getByText('Check their open tickets first.', { exact: false }).waitFor();
    await expectAccessible(page, 'the agent desktop with a screen-pop');
    await expectTapTargets(pop.getByRole('button'));

    await twilioPost(statusCallbackUrl, { ...params, ...voiceFixture.status.params, CallDuration: '64' });
    await pop.getByLabel('Notes').fill('Sent a new widget');
    await pop.getByLabel('Follow-up task').fill('Check the new widget works');
    await pop.getByRole('button', { name: 'Save wrap-up' }).click();
    await pop.waitFor({ state: 'detached' });
    await until('the call is completed with the wrap-up', async () => {
      const calls = (await (await api.get(`${rapport.url}/api/v1/calls`)).json()).data as Record<string, unknown>[];
      const c = calls.find((x) => x.from === '+12025550177');
      return c?.disposition === 'resolved' && c.notes === 'Sent a new widget' && c.durationSeconds === 64;
    });
    await page.getByRole('status').getByText('Available').waitFor();
    // The follow-up task is the agent's, on Ada's record.
    const tasks = (await (await api.get(`${rapport.url}/api/v1/tasks`)).json()).data as Record<string, unknown>[];
    expect(tasks.find((x) => x.title === 'Check the new widget works')).toMatchObject({
      relatedObject: 'contacts',
      relatedId: contact.id,
    });

    // The day's figures reach the reports: the service dashboard's calls by queue and day has the
    // support queue's answered call, with its wait and handle time (the 64 s less the IVR).
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${rapport.url}/reports`);
    const standard = page.getByTestId('standard-dashboards');
    await until('the sales dashboard is drawn', () => standard.getByTestId('figure-winRate').isVisible());
    await standard.getByText('Service', { exact: true }).click();
    const byDay = standard.getByTestId('panel-callsByQueueDay');
    await byDay.getByText('Calls by queue and day').waitFor();
    const headers = await byDay.getByRole('columnheader').allTextContents();
    expect(headers).toEqual([
      'Day',
      'Queue',
      'Calls',
      'Answered',
      'Abandoned',
      'Average wait (seconds)',
      'Average handle time (seconds)',
    ]);
    const support = byDay.getByRole('row').filter({ hasText: 'support' });
    await support.waitFor();
    const [day, queue, offered, answered, abandoned, wait, handle] = await support.getByRole('cell').allTextContents();
    expect([day, queue, offered, answered, abandoned]).toEqual([today, 'support', '1', '1', '0']);
    expect(Number(wait)).toBeGreaterThanOrEqual(0);
    expect(Number(handle)).toBeGreaterThan(0);
    expect(Number(handle)).toBeLessThanOrEqual(64);
    await expectAccessible(page, 'the service dashboard with the calls by queue and day');

    // Click-to-call from Ada's page: the agent's phone (the desktop's) rings first through the
    // provider's REST API (the pass's local Twilio); when they answer, the customer is dialled.
    await page.goto(`${rapport.url}/contacts/${contact.id}`);
    await page.getByRole('button', { name: 'Call through Rapport' }).click();
    await expect.poll(() => page.getByLabel('Your phone').inputValue()).toBe('+12025550002');
    await page.getByRole('button', { name: 'Ring my phone' }).click();
    await page
      .getByRole('status')
      .getByText('Calling your phone: answer it to be put through to +12025550177.')
      .waitFor();
    await expectAccessible(page, 'click-to-call placed');
    const outbound = ((await (await api.get(`${rapport.url}/api/v1/calls`)).json()).data as Record<string, any>[]).find(
      (c) => c.direction === 'outbound',
    );
    expect(outbound).toMatchObject({ to: '+12025550177', contactId: contact.id, status: 'queued' });
    expect(outbound?.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);
    const agentLeg = await twilioPost(`${voiceUrl}?call=${outbound?.id}`, {
      ...voiceFixture.params,
      AccountSid: account.sid,
      CallSid: outbound?.providerCallId,
      From: '+14155550160',
      To: '+12025550002',
      Direction: 'outbound-api',
      CallStatus: 'in-progress',
    });
    expect(agentLeg.body).toContain('<Dial callerId="+14155550160">+12025550177</Dial>');
  });
});
