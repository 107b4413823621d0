import { faker } from '@faker-js/faker';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { runBatch } from '../../platform/records/batch';
import type { RecordService } from '../../platform/records/records.service';
import { recordAnswers } from '../tasks';
import { addComment } from '../timeline';
import { backdate, daysAgo } from './backdate';
import type { DemoCrew, DemoPersonKey } from './demo-team';

/** A moment of today (UTC), `hours` after midnight. */
const todayAt = (hours: number, now = new Date()): Date =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + hours * 3_600_000);

export interface DemoBook {
  accounts: { id: string; name: string; ownerKey: DemoPersonKey }[];
  contacts: { id: string; name: string; accountId: string }[];
  opportunities: { id: string; name: string; ownerKey: DemoPersonKey }[];
}

/** `@[Name](user:id)`: a mention, as the web app writes it in a comment. */
const mention = (crew: DemoCrew, key: DemoPersonKey) => `@[${crew[key].name}](user:${crew[key].id})`;

const CALL_TOPICS = [
  'Discovery call',
  'Pricing questions',
  'Follow-up on the proposal',
  'Renewal check-in',
  'Onboarding kick-off',
  'Reference call',
  'Budget for next year',
];
const EMAIL_TOPICS = [
  'Sent the proposal',
  'Case study as promised',
  'Re: contract redlines',
  'Meeting notes and next steps',
  'Invoice question',
  'Introduction to our support team',
];
const CHANNEL_MIX = ['email', 'email', 'email', 'email', 'call', 'call', 'call', 'meeting', 'chat', 'social'];

/**
 * The demo's day and its recent past: tasks and meetings today for each person (some
 * overdue, some done), logged calls, emails and meetings over the last four months,
 * notes, and comments with @mentions on the deals people talk about (each mention a
 * notification for the person named). Written as the people themselves, through the
 * record engine, so timelines show who did what.
 */
export async function seedActivity(tx: Tx, records: RecordService, crew: DemoCrew, book: DemoBook): Promise<void> {
  const as = (key: DemoPersonKey): Actor => crew[key].actor;
  const accountsOf = (key: DemoPersonKey) => {
    const mine = book.accounts.filter((a) => a.ownerKey === key);
    return mine.length > 0 ? mine : book.accounts;
  };
  const contactsOf = (accountId: string) => book.contacts.filter((c) => c.accountId === accountId);
  const dealOf = (key: DemoPersonKey, i = 0) => {
    const mine = book.opportunities.filter((o) => o.ownerKey === key);
    return mine[i % Math.max(1, mine.length)] ?? book.opportunities[0];
  };
  const people: DemoPersonKey[] = ['dana', 'sam', 'jonas', 'priya', 'marco', 'chloe'];

  // Tasks: today's (at different hours), one overdue, a few later and a few done, per person.
  for (const key of people) {
    const account = accountsOf(key)[0];
    const deal = dealOf(key);
    const related = (i: number) =>
      i % 2 === 0 && deal
        ? { relatedObject: 'opportunities', relatedId: deal.id }
        : account
          ? { relatedObject: 'accounts', relatedId: account.id }
          : {};
    const mine = { ownerId: crew[key].id, assigneeId: crew[key].id };
    const tasks = [
      { title: `Call ${account?.name ?? 'the customer'} about next steps`, dueAt: todayAt(9.5), priority: 'high' },
      { title: deal ? `Send the revised offer for ${deal.name}` : 'Prepare the weekly report', dueAt: todayAt(13) },
      { title: 'Update the forecast', dueAt: todayAt(16.5), priority: 'normal' },
      { title: 'Reply to the partner enquiry', dueAt: daysAgo(1), priority: 'urgent' },
      { title: 'Plan the quarterly business review', dueAt: daysAgo(-3), status: 'waiting' },
      { title: 'Book the training room', dueAt: daysAgo(-7) },
      { title: 'Log last week’s calls', dueAt: daysAgo(4), status: 'done' },
    ].map((t, i) => ({ ...t, dueAt: t.dueAt.toISOString(), ...mine, ...related(i) }));
    await runBatch(records, tx, as(key), 'tasks', { mode: 'create', atomic: true, records: tasks });
  }

  // Meetings: today's for the sales people and the team, a few past and upcoming ones.
  const meetingFor = (key: DemoPersonKey, title: string, start: Date, minutes: number, extra = {}) => {
    const account = accountsOf(key)[0];
    const attendees = account ? contactsOf(account.id).slice(0, 2) : [];
    return {
      title,
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + minutes * 60_000).toISOString(),
      location: account ? `${account.name}, on site` : 'Video call',
      attendeeContactIds: attendees.map((c) => c.id),
      attendeeUserIds: [crew[key].id],
      ownerId: crew[key].id,
      ...(account ? { relatedObject: 'accounts', relatedId: account.id } : {}),
      ...extra,
    };
  };
  const meetings: [DemoPersonKey, Record<string, unknown>][] = [
    ['sam', meetingFor('sam', 'Product demo', todayAt(10), 60)],
    ['sam', meetingFor('sam', 'Contract review', todayAt(15), 45)],
    ['priya', meetingFor('priya', 'Quarterly business review', todayAt(14), 90)],
    ['jonas', meetingFor('jonas', 'Discovery workshop', todayAt(11), 120)],
    ['chloe', meetingFor('chloe', 'Onboarding check-in', todayAt(12), 30)],
    [
      'dana',
      {
        title: 'Weekly pipeline review',
        startAt: todayAt(16).toISOString(),
        endAt: todayAt(17).toISOString(),
        location: 'Meeting room 2',
        attendeeUserIds: [crew.dana.id, crew.sam.id, crew.jonas.id, crew.priya.id],
        ownerId: crew.dana.id,
      },
    ],
    [
      'marco',
      {
        title: 'Campaign planning: spring webinar',
        startAt: todayAt(9).toISOString(),
        endAt: todayAt(10).toISOString(),
        location: 'Video call',
        attendeeUserIds: [crew.marco.id, crew.dana.id],
        ownerId: crew.marco.id,
      },
    ],
    ['sam', meetingFor('sam', 'Negotiation follow-up', daysAgo(-2), 60)],
    ['priya', meetingFor('priya', 'Executive sponsor lunch', daysAgo(-5), 90)],
    ['jonas', meetingFor('jonas', 'Kick-off', daysAgo(6), 60)],
  ];
  for (const key of people) {
    const mine = meetings.filter(([k]) => k === key).map(([, m]) => m);
    if (mine.length > 0)
      await runBatch(records, tx, as(key), 'meetings', { mode: 'create', atomic: true, records: mine });
  }

  // Sam's negotiation follow-up was sent as an invitation (iTIP); its contacts answered from their calendars.
  const followUp = (
    await records.list(tx, as('sam'), 'meetings', {
      filter: { field: 'title', op: 'eq', value: 'Negotiation follow-up' },
      fields: 'id,attendeeContactIds',
      limit: 1,
    })
  ).data[0];
  const [first, second] = (followUp?.attendeeContactIds as string[] | undefined) ?? [];
  if (followUp && first) {
    await recordAnswers(tx, records, crew.sam.actor.workspaceId, String(followUp.id), [
      { contactId: first, partstat: 'ACCEPTED' },
      ...(second ? [{ contactId: second, partstat: 'TENTATIVE' as const }] : []),
    ]);
  }

  // Interactions: four months of calls, emails and meetings, most by the sales people.
  const loggers: DemoPersonKey[] = ['sam', 'sam', 'sam', 'priya', 'priya', 'jonas', 'jonas', 'chloe', 'dana'];
  const byPerson = new Map<DemoPersonKey, Record<string, unknown>[]>();
  for (let i = 0; i < 90; i++) {
    const key = faker.helpers.arrayElement(loggers);
    const account = faker.helpers.arrayElement(accountsOf(key));
    const contact = faker.helpers.arrayElement(contactsOf(account.id).length ? contactsOf(account.id) : book.contacts);
    const channel = faker.helpers.arrayElement(CHANNEL_MIX);
    // The newest first days are quieter (and nobody was contacted twice in a day).
    const when = daysAgo(1 + i * 1.3 + faker.number.float({ min: 0, max: 1 }));
    const list = byPerson.get(key) ?? [];
    list.push({
      topic: faker.helpers.arrayElement(channel === 'email' ? EMAIL_TOPICS : CALL_TOPICS),
      channel,
      direction: faker.helpers.arrayElement(['outbound', 'outbound', 'inbound']),
      occurredAt: when.toISOString(),
      accountId: account.id,
      ownerId: crew[key].id,
      ...(contact ? { contactId: contact.id } : {}),
      ...(channel === 'call' || channel === 'meeting'
        ? { durationMinutes: faker.number.int({ min: 5, max: 75 }) }
        : {}),
      ...(channel === 'call' ? { body: faker.helpers.arrayElement(CALL_NOTES) } : {}),
    });
    byPerson.set(key, list);
  }
  for (const [key, list] of byPerson) {
    await runBatch(records, tx, as(key), 'interactions', { mode: 'create', atomic: true, records: list });
  }

  // Notes on accounts and deals, by their owners, over the last weeks.
  const noteRows: { id: string; createdAt: Date }[] = [];
  for (const [n, key] of (['sam', 'priya', 'jonas', 'chloe', 'marco', 'dana'] as const).entries()) {
    const account = accountsOf(key)[n % accountsOf(key).length];
    const deal = dealOf(key, 1);
    const notes = [
      account && {
        title: 'Account plan',
        body: `${account.name}: three business units, procurement signs off above 50k. Champion in operations; finance is cautious after last year's budget cuts.`,
        relatedObject: 'accounts',
        relatedId: account.id,
        ownerId: crew[key].id,
      },
      deal && {
        title: 'Where we stand',
        body: `${deal.name}: legal has the contract, security questionnaire answered. Decision expected at the next board meeting.`,
        relatedObject: 'opportunities',
        relatedId: deal.id,
        ownerId: crew[key].id,
      },
    ].filter(Boolean);
    if (notes.length === 0) continue;
    const created = await runBatch(records, tx, as(key), 'notes', { mode: 'create', atomic: true, records: notes });
    for (const [i, r] of created.data.entries()) {
      noteRows.push({ id: r.id as string, createdAt: daysAgo(2 + n * 3 + i * 5) });
    }
  }
  await backdate(tx, 'notes', noteRows);

  // Comments with mentions: the conversation around the big deals.
  const deal = (name: string) => book.opportunities.find((o) => o.name === name);
  const expansion = deal('EMEA expansion');
  const renewal = deal('Three-year renewal');
  const samAccount = accountsOf('sam')[0];
  const comments: [DemoPersonKey, string, string | undefined, string][] = [
    [
      'dana',
      'opportunities',
      expansion?.id,
      `${mention(crew, 'sam')} can you send the revised quote before Friday? Finance wants it in this quarter.`,
    ],
    [
      'sam',
      'opportunities',
      expansion?.id,
      `${mention(crew, 'dana')} sent this morning. ${mention(crew, 'chloe')} they will need onboarding for 150 people in March.`,
    ],
    ['chloe', 'opportunities', expansion?.id, `${mention(crew, 'sam')} noted; I'll hold two training weeks for them.`],
    [
      'priya',
      'opportunities',
      renewal?.id,
      `${mention(crew, 'dana')} they ask for a 12% discount on three years. OK to go to 8%?`,
    ],
    ['dana', 'opportunities', renewal?.id, `${mention(crew, 'priya')} 8% is fine if they sign before the 20th.`],
    [
      'marco',
      'accounts',
      samAccount?.id,
      `${mention(crew, 'sam')} their marketing team signed up for our webinar: worth inviting their CMO to the demo?`,
    ],
  ];
  for (const [key, object, recordId, body] of comments) {
    if (recordId) await addComment(tx, as(key), records, { object, recordId, body });
  }
}

const CALL_NOTES = [
  'Interested in the annual plan; wants a comparison with their current tool.',
  'Left a voicemail, will try again on Thursday.',
  'Happy with support so far; asked about the mobile app.',
  'Needs sign-off from the CFO; sending a one-page summary.',
  'Reviewed the proposal line by line; questions about the onboarding package.',
];
