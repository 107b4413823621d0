import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildMeeting } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';

/**
 * Real CardDAV and CalDAV clients from Debian against a real listening server:
 * vdirsyncer (two-way contact sync with a local folder) and python3-caldav (events).
 * They are test dependencies like Chromium (.ci/run installs them); a machine without
 * them fails here with the command to install them rather than skipping.
 */
const run = promisify(execFile);
const INSTALL = 'apt-get install -y vdirsyncer python3-caldav python3-vobject python3-icalendar';
/** Debian's interpreter (the packages are installed for it), also when another python3 comes first in PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

async function requireClients(): Promise<void> {
  const missing: string[] = [];
  await run('vdirsyncer', ['--version']).catch(() => missing.push('vdirsyncer'));
  await run(PYTHON, ['-c', 'import caldav, vobject, icalendar']).catch(() =>
    missing.push('python3-caldav / python3-vobject / python3-icalendar'),
  );
  if (missing.length > 0) {
    throw new Error(`The DAV client tests need ${missing.join(' and ')}: install them with \`${INSTALL}\``);
  }
}

const q = (f: unknown) => encodeURIComponent(JSON.stringify(f));

describe('real DAV clients: vdirsyncer and python caldav', () => {
  let t: TestApp;
  let admin: SignedUp;
  let base: string;
  let creds: { username: string; password: string };
  let dir: string;
  /** The child's environment: its own HOME, no proxies (the server is on loopback). */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    await requireClients();
    t = await createTestApp();
    admin = await signUp(t.app, { name: 'Pat Phone', workspaceName: 'Sync Co' });
    creds = (await client(t, admin.cookie).post('/api/v1/me/app-passwords', { name: 'vdirsyncer' })).json().data;
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    dir = await mkdtemp(path.join(tmpdir(), 'rapport-dav-'));
    env = { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('vdirsyncer syncs contacts both ways', () => {
    let folder: string;
    let config: string;

    const vdirsyncer = async (...args: string[]) => {
      try {
        return await run('vdirsyncer', ['-c', config, ...args], { env, timeout: 120_000 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`vdirsyncer ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
      }
    };
    const sync = () => vdirsyncer('sync');
    const files = async () => (await readdir(folder)).filter((f) => f.endsWith('.vcf'));
    const fileWith = async (needle: string) => {
      for (const f of await files()) if ((await readFile(path.join(folder, f), 'utf8')).includes(needle)) return f;
      return null;
    };
    const api = () => client(t, admin.cookie);
    const byEmail = async (email: string) =>
      (await api().get(`/api/v1/contacts?filter=${q({ field: 'email', op: 'eq', value: email })}`)).json().data;

    beforeAll(async () => {
      folder = path.join(dir, 'contacts', 'contacts');
      config = path.join(dir, 'config');
      await writeFile(
        config,
        [
          '[general]',
          `status_path = "${path.join(dir, 'status')}/"`,
          '',
          '[pair rapport]',
          'a = "local"',
          'b = "remote"',
          'collections = ["contacts"]',
          'conflict_resolution = "b wins"',
          '',
          '[storage local]',
          'type = "filesystem"',
          `path = "${path.join(dir, 'contacts')}/"`,
          'fileext = ".vcf"',
          '',
          '[storage remote]',
          'type = "carddav"',
          // Discovery starts at the well-known URL: principal, home set, then the address books.
          `url = "${base}/.well-known/carddav"`,
          `username = "${creds.username}"`,
          `password = "${creds.password}"`,
          '',
        ].join('\n'),
      );
      await mkdir(folder, { recursive: true });
      await buildContact(api(), { firstName: 'Remote', lastName: 'Rita', email: 'rita@example.org' });
      // vdirsyncer refuses to sync a side that became empty (a safety net): one contact stays.
      await buildContact(api(), { firstName: 'Stays', lastName: 'Put', email: 'stays@example.org' });
      await vdirsyncer('discover', 'rapport');
      await sync();
    });

    it('brings Rapport’s contacts into the folder', async () => {
      expect(await fileWith('FN:Remote Rita')).not.toBeNull();
    });

    it('puts a contact created in the folder into Rapport, keeping its unknown properties', async () => {
      await writeFile(
        path.join(folder, 'local-lena.vcf'),
        [
          'BEGIN:VCARD',
          'VERSION:3.0',
          'UID:local-lena',
          'FN:Lena Local',
          'N:Local;Lena;;;',
          'EMAIL:lena@example.org',
          'TEL;TYPE=CELL:+33 1 23 45 67 89',
          'X-SOCIALPROFILE;TYPE=mastodon:https://social.example/@lena',
          'END:VCARD',
          '',
        ].join('\r\n'),
      );
      await sync();
      const [lena] = await byEmail('lena@example.org');
      expect(lena).toMatchObject({ firstName: 'Lena', lastName: 'Local', phone: '+33123456789' });
      const served = await t.app.inject({
        method: 'REPORT',
        url: `/dav/addressbooks/${admin.userId}/contacts/`,
        headers: {
          authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`,
          'content-type': 'application/xml',
        },
        payload: `<d:sync-collection xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:sync-token/><d:prop><card:address-data/></d:prop></d:sync-collection>`,
      });
      expect(served.body).toContain('X-SOCIALPROFILE;TYPE=mastodon:https://social.example/@lena');
      // A second sync changes nothing on either side (stable ETags, nothing re-uploaded).
      const before = (await byEmail('lena@example.org'))[0].version;
      await sync();
      expect((await byEmail('lena@example.org'))[0].version).toBe(before);
    });

    it('brings an edit made in Rapport into the folder', async () => {
      const [rita] = await byEmail('rita@example.org');
      const res = await api().patch(`/api/v1/contacts/${rita.id}`, { title: 'Head of Purchasing' });
      expect(res.statusCode).toBe(200);
      await sync();
      const file = await fileWith('rita@example.org');
      expect(file).not.toBeNull();
      expect(await readFile(path.join(folder, file as string), 'utf8')).toContain('TITLE:Head of Purchasing');
    });

    it('deletes either way: a file removed locally trashes the contact; a contact deleted in Rapport leaves the folder', async () => {
      const lenaFile = await fileWith('lena@example.org');
      await unlink(path.join(folder, lenaFile as string));
      await sync();
      expect(await byEmail('lena@example.org')).toEqual([]);

      const [rita] = await byEmail('rita@example.org');
      expect((await api().del(`/api/v1/contacts/${rita.id}`)).statusCode).toBe(204);
      await sync();
      expect(await fileWith('rita@example.org')).toBeNull();
      expect(await fileWith('stays@example.org')).not.toBeNull();
    });
  });

  it('python caldav discovers the calendars, creates an event and reads events back', async () => {
    await buildMeeting(client(t, admin.cookie), {
      title: 'Made in Rapport',
      startAt: '2031-05-04T09:00:00Z',
      endAt: '2031-05-04T10:00:00Z',
    });
    const script = `
import datetime, json, sys
import caldav
url, username, password = sys.argv[1:4]
dav = caldav.DAVClient(url=url, username=username, password=password)
principal = dav.principal()
calendars = principal.calendars()
meetings = [c for c in calendars if str(c.url).rstrip('/').endswith('/meetings')][0]
meetings.save_event("""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//python caldav test//EN
BEGIN:VEVENT
UID:made-by-caldav-1
DTSTAMP:20310501T000000Z
DTSTART:20310505T140000Z
DTEND:20310505T150000Z
SUMMARY:Made by python caldav
LOCATION:Room 4
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Soon
TRIGGER:-PT15M
END:VALARM
END:VEVENT
END:VCALENDAR
""")
found = meetings.date_search(datetime.datetime(2031, 5, 1), datetime.datetime(2031, 6, 1))
event = meetings.event_by_uid('made-by-caldav-1')
print(json.dumps({
    'calendars': sorted(str(c.url) for c in calendars),
    'summaries': sorted(str(e.vobject_instance.vevent.summary.value) for e in found),
    'alarm': 'BEGIN:VALARM' in event.data,
}))
`;
    const { stdout } = await run(PYTHON, ['-c', script, `${base}/.well-known/caldav`, creds.username, creds.password], {
      env,
      timeout: 120_000,
    }).catch((err: { message: string; stderr?: string }) => {
      throw new Error(`python caldav failed: ${err.message}\n${err.stderr ?? ''}`);
    });
    const out = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(out.calendars).toEqual([
      `${base}/dav/calendars/${admin.userId}/meetings/`,
      `${base}/dav/calendars/${admin.userId}/tasks/`,
    ]);
    expect(out.summaries).toEqual(['Made by python caldav', 'Made in Rapport']);
    expect(out.alarm).toBe(true);
    const meetings = (
      await client(t, admin.cookie).get(
        `/api/v1/meetings?filter=${q({ field: 'title', op: 'eq', value: 'Made by python caldav' })}`,
      )
    ).json().data;
    expect(meetings).toHaveLength(1);
    expect(meetings[0]).toMatchObject({
      startAt: '2031-05-05T14:00:00.000Z',
      endAt: '2031-05-05T15:00:00.000Z',
      location: 'Room 4',
      ownerId: admin.userId,
    });
  });
});
