import { randomBytes } from 'node:crypto';
import ICAL from 'ical.js';
import ical, { ICalAttendeeRole, type ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { sql } from 'kysely';
import type { TMeetingInvitation } from '../../../common/contracts/tasks';
import { STANDARD_PERMISSIONS } from '../../platform/access/permissions';
import type { Actor } from '../../platform/auth/actor';
import { enterWorkspace, leaveWorkspace, type Tx } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import { emitEvent, type StoredEvent } from '../../platform/events/events';
import type { InboundMail, InboundMailHandler } from '../../platform/mail/inbound-mail';
import { defaultCalendarAddress } from '../../platform/mail/mailboxes.service';
import { enqueueMail } from '../../platform/mail/outbox';
import type { RecordData, RecordService } from '../../platform/records/records.service';

/**
 * iTIP invitations for meetings (RFC 5546 over email, RFC 6047). A meeting with attendees
 * (contacts with an email address, colleagues other than its owner) sends each of them a
 * METHOD:REQUEST; a change of its time, place, title or description sends the update with
 * a higher SEQUENCE (the record's version − 1, as the calendar feed's); deleting it, or
 * taking an attendee off it, sends METHOD:CANCEL. Each attendee's invitation names its own
 * ORGANIZER address, calendar-<workspace digits>+<secret token>@<mail domain>: their
 * calendar's METHOD:REPLY comes back through the inbound SMTP receiver to the workspace's
 * calendar mailbox and sets their PARTSTAT (`meeting.replied` on the meeting's timeline).
 * Meetings already over send nothing (logging a past meeting invites nobody).
 */

/** The system actor invitations read attendees and record answers as: no person, the administrator's permissions. */
export const invitationActor = (workspaceId: string): Actor => ({
  kind: 'user',
  userId: null,
  workspaceId,
  role: 'administrator',
  scopes: [],
  permissions: STANDARD_PERMISSIONS.administrator,
});

/** Fields whose change is news to an attendee (an update is sent); the time's also resets their answer. */
const CONTENT_FIELDS = ['title', 'startAt', 'endAt', 'location', 'description'];
const TIME_FIELDS = ['startAt', 'endAt'];
const PARTSTATS = ['NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED'] as const;
type PartStat = (typeof PARTSTATS)[number];

export const meetingUid = (meetingId: string) => `meetings-${meetingId}@rapport`;

interface Attendee {
  email: string;
  name: string | null;
  contactId: string | null;
  userId: string | null;
}

interface InvitationRow {
  email: string;
  name: string | null;
  contact_id: string | null;
  user_id: string | null;
  token: string;
  partstat: PartStat;
  sequence: number;
  status: 'invited' | 'cancelled';
  replied_at: Date | string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
const EMAIL = /^[^@\s<>]+@[^@\s<>]+$/;

/** When the meeting ends (30 minutes after its start when it has no end). */
function endOf(meeting: RecordData): Date {
  const start = new Date(String(meeting.startAt));
  return meeting.endAt ? new Date(String(meeting.endAt)) : new Date(start.getTime() + 30 * 60_000);
}

/** The people a meeting invites: its contacts with an email address and its colleagues other than the owner. */
async function attendeesOf(tx: Tx, records: RecordService, actor: Actor, meeting: RecordData): Promise<Attendee[]> {
  const out = new Map<string, Attendee>();
  const contactIds = Array.isArray(meeting.attendeeContactIds) ? (meeting.attendeeContactIds as string[]) : [];
  for (const id of contactIds) {
    const contact = await records.get(tx, actor, 'contacts', id).catch(() => null);
    const email = str(contact?.email)?.toLowerCase();
    if (!contact || !email || !EMAIL.test(email) || out.has(email)) continue;
    const name = [str(contact.firstName), str(contact.lastName)].filter(Boolean).join(' ') || null;
    out.set(email, { email, name, contactId: id, userId: null });
  }
  const userIds = (Array.isArray(meeting.attendeeUserIds) ? (meeting.attendeeUserIds as string[]) : []).filter(
    (id) => id !== meeting.ownerId,
  );
  if (userIds.length > 0) {
    const { rows } = await sql<{ id: string; email: string; name: string | null }>`
      select u.id, lower(u.email) as email, u.name from workspace_members m join users u on u.id = m.user_id
      where m.user_id = any(${userIds}::uuid[]) order by u.email`.execute(tx);
    for (const u of rows) {
      if (!out.has(u.email)) out.set(u.email, { email: u.email, name: u.name, contactId: null, userId: u.id });
    }
  }
  return [...out.values()];
}

/** The meeting's organiser: its owner (name and address), else the workspace. */
async function organizerOf(tx: Tx, meeting: RecordData): Promise<{ name: string; email: string | null }> {
  const ownerId = str(meeting.ownerId);
  if (ownerId) {
    const { rows } = await sql<{ email: string; name: string | null }>`
      select u.email, u.name from workspace_members m join users u on u.id = m.user_id
      where m.user_id = ${ownerId}::uuid`.execute(tx);
    const u = rows[0];
    if (u) return { name: u.name || u.email, email: u.email };
  }
  const { rows } = await sql<{ name: string }>`select name from workspaces where id = rapport_workspace()`.execute(tx);
  return { name: rows[0]?.name ?? 'Rapport', email: null };
}

/** The iCalendar object of one attendee's copy of a REQUEST or CANCEL (all times UTC). */
export function itipMessage(opts: {
  method: 'REQUEST' | 'CANCEL';
  meeting: RecordData;
  sequence: number;
  organizer: { name: string; email: string | null };
  replyTo: string;
  attendees: { email: string; name: string | null; partstat: PartStat }[];
  baseUrl: string;
}): string {
  const { meeting } = opts;
  const cal = ical({
    method: opts.method === 'REQUEST' ? ICalCalendarMethod.REQUEST : ICalCalendarMethod.CANCEL,
    prodId: { company: 'Rapport', product: 'Rapport CRM', language: 'EN' },
  });
  cal.createEvent({
    id: meetingUid(String(meeting.id)),
    sequence: opts.sequence,
    stamp: new Date(),
    start: new Date(String(meeting.startAt)),
    end: endOf(meeting),
    summary: String(meeting.title ?? 'Meeting'),
    location: str(meeting.location) ?? undefined,
    description: str(meeting.description) ?? undefined,
    url: `${opts.baseUrl.replace(/\/$/, '')}/meetings/${meeting.id}`,
    status: opts.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    // The attendee's reply goes to their own sub-address (the mailto); EMAIL= names the person.
    organizer: {
      name: opts.organizer.name,
      email: opts.organizer.email ?? opts.replyTo,
      mailto: opts.replyTo,
    },
    attendees: opts.attendees.map((a) => ({
      email: a.email,
      name: a.name ?? undefined,
      role: ICalAttendeeRole.REQ,
      rsvp: opts.method === 'REQUEST',
      status: a.partstat as ICalAttendeeStatus,
    })),
  });
  return cal.toString();
}

const when = (meeting: RecordData) =>
  `${new Date(String(meeting.startAt)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Writes and queues one attendee's REQUEST or CANCEL (in the consumer's transaction: sent iff it commits). */
async function send(
  tx: Tx,
  ctx: { workspaceId: string; mailDomain: string; baseUrl: string },
  method: 'REQUEST' | 'CANCEL',
  opts: {
    meeting: RecordData;
    to: { email: string; name: string | null; token: string };
    sequence: number;
    organizer: { name: string; email: string | null };
    attendees: { email: string; name: string | null; partstat: PartStat }[];
    update: boolean;
  },
): Promise<void> {
  const { meeting, to } = opts;
  const replyTo = defaultCalendarAddress(ctx.workspaceId, ctx.mailDomain, to.token);
  const content = itipMessage({ method, ...opts, replyTo, baseUrl: ctx.baseUrl });
  const title = String(meeting.title ?? 'Meeting');
  const subject =
    method === 'CANCEL'
      ? `Cancelled: ${title} @ ${when(meeting)}`
      : `${opts.update ? 'Updated invitation' : 'Invitation'}: ${title} @ ${when(meeting)}`;
  const lines =
    method === 'CANCEL'
      ? [`${opts.organizer.name} cancelled this meeting.`, '', `${title}`, `When: ${when(meeting)}`]
      : [
          `${opts.organizer.name} ${opts.update ? 'updated' : 'invites you to'} this meeting.`,
          '',
          title,
          `When: ${when(meeting)} – ${endOf(meeting).toISOString().slice(11, 16)} UTC`,
          ...(str(meeting.location) ? [`Where: ${str(meeting.location)}`] : []),
          ...(str(meeting.description) ? ['', String(meeting.description)] : []),
          '',
          'Accept or decline in your calendar: your answer goes back to the organiser.',
        ];
  await enqueueMail(tx, ctx.workspaceId, {
    to: to.name ? `"${to.name.replace(/["\\\r\n]/g, '')}" <${to.email}>` : to.email,
    subject: subject.replace(/[\r\n]+/g, ' ').slice(0, 500),
    text: lines.join('\n'),
    headers: opts.organizer.email ? { 'Reply-To': opts.organizer.email } : {},
    calendar: { method, content },
  });
}

async function invitationsOf(tx: Tx, meetingId: string): Promise<InvitationRow[]> {
  const { rows } = await sql<InvitationRow>`
    select email, name, contact_id, user_id, token, partstat, sequence, status, replied_at from meeting_invitations
    where workspace_id = rapport_workspace() and meeting_id = ${meetingId}::uuid order by email`.execute(tx);
  return rows;
}

/**
 * Brings one meeting's invitations up to date after an event about it: new attendees get a
 * REQUEST, everyone again when its content changed, removed ones (or all, when it was
 * deleted) a CANCEL. Returns whether it wrote anything.
 */
export async function syncInvitations(
  tx: Tx,
  records: RecordService,
  ctx: { workspaceId: string; mailDomain: string; baseUrl: string; now: Date },
  e: StoredEvent,
): Promise<boolean> {
  const verb = e.type.split('.')[1];
  const meetingId = e.recordId;
  const fromEvent = e.data.record as RecordData | undefined;
  if (!meetingId) return false;
  const actor = invitationActor(ctx.workspaceId);
  const existing = await invitationsOf(tx, meetingId);
  const live = verb === 'deleted' || verb === 'purged' ? null : fromEvent;
  if (!live && existing.every((r) => r.status === 'cancelled')) return false;
  // A deletion's event carries no record: the meeting as it was trashed (purged: nothing left to say).
  const meeting =
    live ??
    (verb === 'deleted'
      ? (
          await records.list(tx, actor, 'meetings', {
            trashed: true,
            within: sql`select ${meetingId}::uuid`,
            limit: 1,
          })
        ).data[0]
      : undefined);
  if (!meeting?.startAt) return false;
  // A meeting already over invites and cancels nothing.
  if (endOf(meeting) <= ctx.now) return false;

  const organizer = await organizerOf(tx, meeting);
  const sequence = Math.max(Number(meeting.version ?? 1) - 1, ...existing.map((r) => r.sequence));
  const attendees = live ? await attendeesOf(tx, records, actor, live) : [];
  const wanted = new Map(attendees.map((a) => [a.email, a]));
  const changes = (e.data.changes ?? {}) as Record<string, unknown>;
  const contentChanged = verb !== 'updated' || CONTENT_FIELDS.some((f) => f in changes);
  const timeChanged = verb === 'updated' && TIME_FIELDS.some((f) => f in changes);
  let wrote = false;

  // Cancel for whoever is no longer invited (every one, when the meeting is gone).
  for (const row of existing) {
    if (row.status !== 'invited' || wanted.has(row.email)) continue;
    await send(tx, ctx, 'CANCEL', {
      meeting,
      to: row,
      sequence,
      organizer,
      attendees: [{ email: row.email, name: row.name, partstat: row.partstat }],
      update: true,
    });
    await sql`update meeting_invitations set status = 'cancelled', sequence = ${sequence}, updated_at = now()
      where workspace_id = rapport_workspace() and meeting_id = ${meetingId}::uuid and email = ${row.email}`.execute(
      tx,
    );
    wrote = true;
  }
  if (!live) return wrote;

  // The answers everyone gave so far (a new time asks again).
  const byEmail = new Map(existing.map((r) => [r.email, r]));
  const partstatOf = (email: string): PartStat => {
    const row = byEmail.get(email);
    return !row || row.status === 'cancelled' || timeChanged ? 'NEEDS-ACTION' : row.partstat;
  };
  const list = attendees.map((a) => ({ email: a.email, name: a.name, partstat: partstatOf(a.email) }));
  for (const a of attendees) {
    const row = byEmail.get(a.email);
    const isNew = !row || row.status === 'cancelled';
    // Already sent this SEQUENCE (an event read again, or answers recorded before the first send): nothing new.
    if (!isNew && (!contentChanged || row.sequence >= sequence)) continue;
    const token = row?.token ?? randomBytes(16).toString('hex');
    await sql`
      insert into meeting_invitations (workspace_id, meeting_id, email, name, contact_id, user_id, token, partstat, sequence, status)
      values (rapport_workspace(), ${meetingId}::uuid, ${a.email}, ${a.name?.slice(0, 300) ?? null}, ${a.contactId}::uuid,
        ${a.userId}::uuid, ${token}, ${partstatOf(a.email)}, ${sequence}, 'invited')
      on conflict (workspace_id, meeting_id, email) do update set
        name = excluded.name, contact_id = excluded.contact_id, user_id = excluded.user_id,
        partstat = excluded.partstat, sequence = excluded.sequence, status = 'invited',
        replied_at = case when excluded.partstat = 'NEEDS-ACTION' then null else meeting_invitations.replied_at end,
        updated_at = now()`.execute(tx);
    await send(tx, ctx, 'REQUEST', {
      meeting,
      to: { email: a.email, name: a.name, token },
      sequence,
      organizer,
      attendees: list,
      update: !!row && row.status === 'invited',
    });
    wrote = true;
  }
  return wrote;
}

/** The consumer sending invitations as meetings change (exactly once per event: mail is queued in its transaction). */
export function invitationConsumer(
  records: RecordService,
  opts: { mailDomain: string; baseUrl: string; now: () => Date },
): EventConsumer {
  return {
    name: 'tasks.meeting-invitations',
    types: ['meeting.created', 'meeting.updated', 'meeting.deleted', 'meeting.restored', 'meeting.purged'],
    async handle(tx, events) {
      let wrote = false;
      try {
        for (const e of events) {
          await enterWorkspace(tx, e.workspaceId);
          const ctx = {
            workspaceId: e.workspaceId,
            mailDomain: opts.mailDomain,
            baseUrl: opts.baseUrl,
            now: opts.now(),
          };
          if (await syncInvitations(tx, records, ctx, e)) wrote = true;
        }
      } finally {
        await leaveWorkspace(tx);
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}

/** The iCalendar objects a mail carries (its text/calendar parts and .ics attachments). */
export function calendarParts(mail: InboundMail): string[] {
  const out: string[] = [];
  for (const a of mail.attachments) {
    const text = a.content.toString('utf8');
    if (text.includes('BEGIN:VCALENDAR')) out.push(text);
  }
  if (out.length === 0 && mail.raw) {
    // A text/calendar part mailparser kept as a body: read it from the message itself.
    const raw = mail.raw.toString('utf8');
    const start = raw.indexOf('BEGIN:VCALENDAR');
    const end = raw.indexOf('END:VCALENDAR', start);
    if (start >= 0 && end > start) out.push(raw.slice(start, end + 'END:VCALENDAR'.length));
  }
  return out;
}

const TOKEN = /\+([0-9a-f]{32})@/;

/**
 * An attendee's METHOD:REPLY to the calendar mailbox: the token in the address it was sent to
 * names the invitation; the reply must be about that meeting (UID) and carry that attendee's
 * PARTSTAT, and not answer an older SEQUENCE than the last one sent. Anything else changes nothing.
 */
export async function recordReply(
  tx: Tx,
  mail: InboundMail,
): Promise<{ meetingId: string; partstat: PartStat } | null> {
  const token = (mail.recipient ?? '').match(TOKEN)?.[1];
  if (!token) return null;
  const { rows } = await sql<InvitationRow & { meeting_id: string }>`
    select meeting_id, email, name, contact_id, user_id, token, partstat, sequence, status, replied_at
    from meeting_invitations where workspace_id = rapport_workspace() and token = ${token}`.execute(tx);
  const row = rows[0];
  if (row?.status !== 'invited') return null;
  for (const text of calendarParts(mail)) {
    let cal: ICAL.Component;
    try {
      cal = new ICAL.Component(ICAL.parse(text));
    } catch {
      continue;
    }
    if (String(cal.getFirstPropertyValue('method') ?? '').toUpperCase() !== 'REPLY') continue;
    for (const ev of cal.getAllSubcomponents('vevent')) {
      if (String(ev.getFirstPropertyValue('uid') ?? '') !== meetingUid(row.meeting_id)) continue;
      const seq = Number(ev.getFirstPropertyValue('sequence') ?? 0);
      if (Number.isFinite(seq) && seq < row.sequence) continue;
      for (const p of ev.getAllProperties('attendee')) {
        const address = String(p.getFirstValue() ?? '')
          .replace(/^mailto:/i, '')
          .trim()
          .toLowerCase();
        if (address !== row.email) continue;
        const partstat = String(p.getParameter('partstat') ?? '').toUpperCase() as PartStat;
        if (!PARTSTATS.includes(partstat) || partstat === 'NEEDS-ACTION') continue;
        await sql`update meeting_invitations set partstat = ${partstat}, replied_at = now(), updated_at = now()
          where workspace_id = rapport_workspace() and meeting_id = ${row.meeting_id}::uuid and email = ${row.email}`.execute(
          tx,
        );
        await emitEvent(tx, invitationActor(mail.workspaceId), {
          type: 'meeting.replied',
          object: 'meetings',
          recordId: row.meeting_id,
          data: { email: row.email, name: row.name, contactId: row.contact_id, userId: row.user_id, partstat },
        });
        return { meetingId: row.meeting_id, partstat };
      }
    }
  }
  return null;
}

/** Mail to a workspace's calendar mailbox (kind `calendar`): attendees' iTIP replies. */
export const calendarMailHandler: InboundMailHandler = {
  kind: 'calendar',
  async handle(tx, mail) {
    await recordReply(tx, mail);
  },
};

/**
 * Records attendees' answers to a meeting as if their replies had arrived (the demo's story):
 * each contact gets an invitation row with its PARTSTAT and a `meeting.replied` event. The
 * invitations consumer then sends these attendees nothing for the meeting as it is.
 */
export async function recordAnswers(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  meetingId: string,
  answers: { contactId: string; partstat: Exclude<PartStat, 'NEEDS-ACTION'> }[],
): Promise<void> {
  const actor = invitationActor(workspaceId);
  for (const a of answers) {
    const contact = await records.get(tx, actor, 'contacts', a.contactId);
    const email = str(contact.email)?.toLowerCase();
    if (!email) continue;
    const name = [str(contact.firstName), str(contact.lastName)].filter(Boolean).join(' ') || null;
    await sql`
      insert into meeting_invitations (workspace_id, meeting_id, email, name, contact_id, token, partstat, replied_at)
      values (${workspaceId}::uuid, ${meetingId}::uuid, ${email}, ${name}, ${a.contactId}::uuid,
        ${randomBytes(16).toString('hex')}, ${a.partstat}, now())
      on conflict do nothing`.execute(tx);
    await emitEvent(tx, actor, {
      type: 'meeting.replied',
      object: 'meetings',
      recordId: meetingId,
      data: { email, name, contactId: a.contactId, userId: null, partstat: a.partstat },
    });
  }
}

/** A meeting's invitations and answers (the caller may read the meeting: checked by the route). */
export async function listInvitations(tx: Tx, meetingId: string): Promise<TMeetingInvitation[]> {
  return (await invitationsOf(tx, meetingId)).map((r) => ({
    email: r.email,
    name: r.name,
    contactId: r.contact_id,
    userId: r.user_id,
    partstat: r.partstat,
    status: r.status,
    sequence: r.sequence,
    repliedAt: r.replied_at ? iso(r.replied_at) : null,
  }));
}
