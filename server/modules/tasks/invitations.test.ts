import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildMeeting } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { sendRawMail } from '../../../test/helpers/inbound-smtp';

/** Debian's interpreter, where python3-icalendar is installed (`.ci/run` installs it). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const CLIENT = new URL('../../../test/helpers/itip-client.py', import.meta.url).pathname;

/** Runs the python3-icalendar iTIP client with `stdin`. */
function itip(args: string[], stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, [CLIENT, ...args], { maxBuffer: 4 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
    child.stdin?.end(stdin);
  });
}

interface Read {
  contentTypeMethod: string;
  method: string;
  uid: string;
  sequence: number;
  status: string;
  summary: string;
  dtstart: string;
  organizer: { mailto: string; cn: string };
  attendees: { email: string; partstat: string; rsvp: string }[];
  attachedIcs: boolean;
}

/** A real SMTP server keeping each raw message and its envelope recipients. */
async function rawSink() {
  const got: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        got.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const inDays = (days: number, hour = 10) => {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

describe('meeting invitations over iTIP (RFC 5546 / 6047), through the real SMTP sink and receiver', () => {
  let t: TestApp;
  let owner: SignedUp;
  let api: HttpClient;
  let sink: Awaited<ReturnType<typeof rawSink>>;
  let port: number;
  let n = 0;

  /** Events delivered (the invitations consumer queues mail) and the outbox sent to the sink. */
  async function deliver() {
    await t.events.drain();
    while ((await t.mail.runOnce()) > 0) {}
  }
  /** The newest mail to `address` delivered after `since`, read by the python3-icalendar client. */
  async function lastTo(address: string, since = 0) {
    const mail = sink.got
      .slice(since)
      .filter((m) => m.to.includes(address))
      .at(-1);
    if (!mail) throw new Error(`no mail to ${address}`);
    return { raw: mail.raw, cal: JSON.parse(await itip(['read'], mail.raw)) as Read };
  }
  const mailsTo = (address: string, since = 0) => sink.got.slice(since).filter((m) => m.to.includes(address));
  /** Sends the attendee's iTIP REPLY (built by python3-icalendar) through the inbound receiver and handles it. */
  async function reply(invitation: { raw: string; cal: Read }, address: string, partstat: string, sequence?: number) {
    const raw = await itip(
      ['reply', address, partstat, ...(sequence === undefined ? [] : [String(sequence)])],
      invitation.raw,
    );
    const sent = await sendRawMail(port, { from: address, to: [invitation.cal.organizer.mailto], raw });
    expect(sent.rcptTo[0]?.code).toBe(250);
    expect(sent.message?.code).toBe(250);
    await t.inbound.processor.runOnce();
  }
  const invitations = async (meetingId: string) => {
    const res = await api.get(`/api/v1/meetings/${meetingId}/invitations`);
    expect(res.statusCode).toBe(200);
    return res.json().data as {
      email: string;
      partstat: string;
      status: string;
      sequence: number;
      contactId: string;
    }[];
  };
  async function contact(first: string) {
    n++;
    const email = `${first.toLowerCase()}.${n}.${Date.now()}@customer.example`;
    return { ...(await buildContact(api, { firstName: first, lastName: `Attendee ${n}`, email })), email };
  }

  beforeAll(async () => {
    await promisify(execFile)(PYTHON, ['-c', 'import icalendar']).catch(() => {
      throw new Error('The iTIP tests need python3-icalendar: `apt-get install -y python3-icalendar`');
    });
    sink = await rawSink();
    t = await createTestApp({ smtpUrl: sink.url, smtpInboundPort: 0, mailDomain: 'inbound.test' });
    owner = await signUp(t.app, { workspaceName: 'Invites Co', name: 'Olivia Organiser' });
    api = client(t, owner);
    await t.inbound.receiver?.start();
    port = t.inbound.receiver?.port ?? 0;
    await deliver();
  });
  afterAll(async () => {
    await t?.stop();
    await sink?.close();
  });

  it('sends each attendee a METHOD:REQUEST with the .ics attached; their REPLY sets their PARTSTAT', async () => {
    const ann = await contact('Ann');
    const ben = await contact('Ben');
    const before = sink.got.length;
    const meeting = await buildMeeting(api, {
      title: 'Pricing review',
      startAt: inDays(2),
      endAt: inDays(2, 11),
      location: 'Room 4',
      attendeeContactIds: [ann.id, ben.id],
    });
    await deliver();
    expect(mailsTo(ann.email, before)).toHaveLength(1);
    const forAnn = await lastTo(ann.email, before);
    const forBen = await lastTo(ben.email, before);
    expect(forAnn.cal).toMatchObject({
      contentTypeMethod: 'REQUEST',
      method: 'REQUEST',
      uid: `meetings-${meeting.id}@rapport`,
      sequence: 0,
      summary: 'Pricing review',
      attachedIcs: true,
      organizer: { cn: 'Olivia Organiser' },
    });
    expect(new Date(forAnn.cal.dtstart).toISOString()).toBe(inDays(2));
    expect(forAnn.cal.attendees.map((a) => a.email).sort()).toEqual([ann.email, ben.email].sort());
    expect(forAnn.cal.attendees.every((a) => a.partstat === 'NEEDS-ACTION' && a.rsvp === 'TRUE')).toBe(true);
    // Each attendee's copy names their own reply address at the workspace's calendar mailbox.
    expect(forAnn.cal.organizer.mailto).toMatch(/^calendar-[0-9a-f]{12}\+[0-9a-f]{32}@inbound\.test$/);
    expect(forBen.cal.organizer.mailto).not.toBe(forAnn.cal.organizer.mailto);
    expect(forAnn.raw).toMatch(/Reply-To: .*@/);

    await reply(forAnn, ann.email, 'ACCEPTED');
    await reply(forBen, ben.email, 'DECLINED');
    const list = await invitations(meeting.id);
    expect(list.find((i) => i.email === ann.email)).toMatchObject({ partstat: 'ACCEPTED', status: 'invited' });
    expect(list.find((i) => i.email === ben.email)).toMatchObject({ partstat: 'DECLINED', contactId: ben.id });
    // The answer is on the meeting's timeline.
    await t.events.drain();
    const timeline = (await api.get(`/api/v1/meetings/${meeting.id}/timeline`)).json().data as {
      type?: string;
      data?: { partstat?: string };
    }[];
    expect(timeline.filter((i) => i.type === 'meeting.replied').map((i) => i.data?.partstat)).toEqual(
      expect.arrayContaining(['ACCEPTED', 'DECLINED']),
    );
  });

  it('sends an update with a higher SEQUENCE on a new time (answers asked again), CANCEL to a removed attendee and on deletion', async () => {
    const cleo = await contact('Cleo');
    const dev = await contact('Dev');
    const meeting = await buildMeeting(api, {
      title: 'Kick-off',
      startAt: inDays(3),
      attendeeContactIds: [cleo.id, dev.id],
    });
    await deliver();
    const first = await lastTo(cleo.email);
    await reply(first, cleo.email, 'ACCEPTED');

    // A change that is no news to attendees (tags) sends nothing.
    let before = sink.got.length;
    expect((await api.patch(`/api/v1/meetings/${meeting.id}`, { tags: ['internal'] })).statusCode).toBe(200);
    await deliver();
    expect(mailsTo(cleo.email, before)).toHaveLength(0);

    // A new time: an update with a higher SEQUENCE, and Cleo's earlier answer asked again.
    before = sink.got.length;
    expect((await api.patch(`/api/v1/meetings/${meeting.id}`, { startAt: inDays(4) })).statusCode).toBe(200);
    await deliver();
    const update = await lastTo(cleo.email, before);
    expect(update.cal.method).toBe('REQUEST');
    expect(update.cal.sequence).toBeGreaterThan(first.cal.sequence);
    expect(update.cal.uid).toBe(first.cal.uid);
    expect(new Date(update.cal.dtstart).toISOString()).toBe(inDays(4));
    expect((await invitations(meeting.id)).find((i) => i.email === cleo.email)?.partstat).toBe('NEEDS-ACTION');
    // A reply to the old SEQUENCE is stale: nothing changes; one to the update counts.
    await reply(first, cleo.email, 'DECLINED', first.cal.sequence);
    expect((await invitations(meeting.id)).find((i) => i.email === cleo.email)?.partstat).toBe('NEEDS-ACTION');
    await reply(update, cleo.email, 'TENTATIVE');
    expect((await invitations(meeting.id)).find((i) => i.email === cleo.email)?.partstat).toBe('TENTATIVE');

    // Dev taken off the meeting: a CANCEL to Dev only.
    before = sink.got.length;
    expect((await api.patch(`/api/v1/meetings/${meeting.id}`, { attendeeContactIds: [cleo.id] })).statusCode).toBe(200);
    await deliver();
    const cancelDev = await lastTo(dev.email, before);
    expect(cancelDev.cal).toMatchObject({ method: 'CANCEL', contentTypeMethod: 'CANCEL', uid: first.cal.uid });
    expect(mailsTo(cleo.email, before)).toHaveLength(0);
    expect((await invitations(meeting.id)).find((i) => i.email === dev.email)?.status).toBe('cancelled');

    // Deleted: a CANCEL (STATUS:CANCELLED) to the remaining attendee.
    before = sink.got.length;
    expect((await api.del(`/api/v1/meetings/${meeting.id}`)).statusCode).toBe(204);
    await deliver();
    const cancel = await lastTo(cleo.email, before);
    expect(cancel.cal).toMatchObject({ method: 'CANCEL', status: 'CANCELLED', uid: first.cal.uid });
    expect(cancel.cal.sequence).toBeGreaterThanOrEqual(update.cal.sequence);
    expect(mailsTo(dev.email, before)).toHaveLength(0);
  });

  it('a reply only counts for the attendee its address was given to, about that meeting', async () => {
    const eve = await contact('Eve');
    const fay = await contact('Fay');
    const meeting = await buildMeeting(api, {
      title: 'Board prep',
      startAt: inDays(5),
      attendeeContactIds: [eve.id, fay.id],
    });
    await deliver();
    const forEve = await lastTo(eve.email);
    // Fay answering on Eve's behalf (to Eve's reply address) changes nothing.
    await reply(forEve, fay.email, 'ACCEPTED');
    // An address with an unknown token is accepted by the receiver but answers for nobody.
    const forged = {
      ...forEve,
      cal: {
        ...forEve.cal,
        organizer: {
          ...forEve.cal.organizer,
          mailto: forEve.cal.organizer.mailto.replace(/\+[0-9a-f]{32}@/, `+${'0'.repeat(32)}@`),
        },
      },
    };
    await reply(forged, eve.email, 'ACCEPTED');
    const list = await invitations(meeting.id);
    expect(list.map((i) => i.partstat)).toEqual(['NEEDS-ACTION', 'NEEDS-ACTION']);
    // Another workspace's member cannot read them.
    const other = client(t, await signUp(t.app, { workspaceName: 'Elsewhere' }));
    expect((await other.get(`/api/v1/meetings/${meeting.id}/invitations`)).statusCode).toBe(404);
  });

  it('a meeting already over (logged afterwards) invites nobody', async () => {
    const gus = await contact('Gus');
    const before = sink.got.length;
    const meeting = await buildMeeting(api, {
      title: 'Logged call',
      startAt: inDays(-2),
      attendeeContactIds: [gus.id],
    });
    await deliver();
    expect(mailsTo(gus.email, before)).toHaveLength(0);
    expect(await invitations(meeting.id)).toEqual([]);
  });
});
