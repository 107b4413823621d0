import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { contactFromVCard, foldLine, parseVCards, toJCard, toVCard, type VCardContact, VCardError } from './vcard';

const jane: VCardContact = {
  id: '0190f1a2-3b4c-7d5e-8f60-718293a4b5c6',
  firstName: 'Jane',
  lastName: 'Doe-Łukasiewicz',
  email: 'jane@acme.example',
  emails: [{ value: 'jane.home@example.org', label: 'home' }],
  phone: '+33123456789',
  phones: [{ value: '+33612345678', label: 'mobile' }],
  title: 'Head of buying; Europe',
  department: 'Procurement',
  accountName: 'Acme, Inc.',
  address: { street: '1 rue de la Paix\nBâtiment B', city: 'Paris', region: null, postalCode: '75002', country: 'FR' },
  birthday: '1985-04-12',
  description: 'Met at the fair.\nPrefers email, not calls – really.',
  updatedAt: '2026-01-02T03:04:05.000Z',
};

/** The fields Rapport keeps, as contactFromVCard gives them back. */
const rapportFields = (c: VCardContact) => ({
  firstName: c.firstName,
  lastName: c.lastName,
  email: c.email,
  emails: c.emails?.map((e) => ({ value: e.value })),
  phone: c.phone,
  phones: c.phones,
  title: c.title,
  department: c.department,
  address: { ...c.address },
  birthday: c.birthday,
  description: c.description,
});

describe('vCard: writing 4.0 and 3.0, reading 2.1/3.0/4.0', () => {
  it('writes RFC 6350 vCard 4.0: CRLF, folded at 75 octets, escaped text, tel: URIs, UID as urn:uuid', () => {
    const text = toVCard(jane);
    expect(text.startsWith('BEGIN:VCARD\r\nVERSION:4.0\r\n')).toBe(true);
    expect(text.endsWith('END:VCARD\r\n')).toBe(true);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    const unfolded = text.replace(/\r\n /g, '');
    expect(unfolded).toContain('FN:Jane Doe-Łukasiewicz\r\n');
    expect(unfolded).toContain('N:Doe-Łukasiewicz;Jane;;;\r\n');
    expect(unfolded).toContain('UID:urn:uuid:0190f1a2-3b4c-7d5e-8f60-718293a4b5c6\r\n');
    expect(unfolded).toContain('EMAIL;PREF=1:jane@acme.example\r\n');
    expect(unfolded).toContain('TEL;VALUE=uri;TYPE=voice;PREF=1:tel:+33123456789\r\n');
    expect(unfolded).toContain('TEL;VALUE=uri;TYPE="cell,voice":tel:+33612345678\r\n');
    expect(unfolded).toContain('ORG:Acme\\, Inc.;Procurement\r\n');
    expect(unfolded).toContain('TITLE:Head of buying\\; Europe\r\n');
    expect(unfolded).toContain('ADR;TYPE=work:;;1 rue de la Paix\\nBâtiment B;Paris;;75002;FR\r\n');
    expect(unfolded).toContain('BDAY:19850412\r\n');
    expect(unfolded).toContain('REV:20260102T030405Z\r\n');
  });

  it('never folds inside a UTF-8 character', () => {
    const folded = foldLine(`NOTE:${'é'.repeat(100)}`);
    for (const line of folded.split('\r\n')) {
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
      expect(line).not.toContain('\uFFFD');
    }
    expect(folded.replace(/\r\n /g, '')).toBe(`NOTE:${'é'.repeat(100)}`);
  });

  it('round-trips every field Rapport has, in 4.0 and in 3.0', () => {
    for (const version of ['4.0', '3.0'] as const) {
      const [card] = parseVCards(toVCard(jane, { version }));
      expect(card?.version).toBe(version);
      expect(card?.uid).toBe(jane.id);
      const { fields, accountName } = contactFromVCard(card as NonNullable<typeof card>);
      expect(accountName).toBe('Acme, Inc.');
      expect(fields).toEqual(rapportFields(jane));
    }
  });

  it('writes 3.0 for older clients: TYPE lists, INTERNET emails, dashed dates', () => {
    const text = toVCard(jane, { version: '3.0' }).replace(/\r\n /g, '');
    expect(text).toContain('VERSION:3.0\r\n');
    expect(text).toContain('EMAIL;TYPE=internet,pref:jane@acme.example\r\n');
    expect(text).toContain('TEL;TYPE=pref:+33123456789\r\n');
    expect(text).toContain('BDAY:1985-04-12\r\n');
    expect(text).not.toContain('KIND:');
  });

  it('reads vCard 2.1 with quoted-printable soft breaks, CHARSET parameters, bare types and a base64 photo', () => {
    const latin1Name = iconv.encode('Müller', 'latin1');
    const qp = [...latin1Name].map((b) => (b > 127 ? `=${b.toString(16).toUpperCase()}` : String.fromCharCode(b)));
    const text = [
      'BEGIN:VCARD',
      'VERSION:2.1',
      `N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:${qp.join('')};Hans`,
      'FN:Hans Müller',
      'TEL;WORK;VOICE:+49 30 1234567',
      'TEL;CELL:+49 170 1234567',
      'EMAIL;PREF;INTERNET:hans@example.de',
      'NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Erste Zeile=0D=0Azweite Zeile mit Gr=C3=BC=',
      '=C3=9Fen',
      'PHOTO;ENCODING=BASE64;TYPE=JPEG:',
      ' /9j/4AAQSkZJRgABAQ',
      ' AAAQABAAD',
      '',
      'X-CUSTOM-FIELD:keep me',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N:Second;Sam',
      'END:VCARD',
    ].join('\r\n');
    const cards = parseVCards(text);
    expect(cards).toHaveLength(2);
    const [hans, sam] = cards;
    expect(hans?.name?.family).toBe('Müller');
    expect(hans?.phones).toEqual([
      { value: '+49 30 1234567', types: ['work', 'voice'], raw: 'TEL;WORK;VOICE:+49 30 1234567' },
      { value: '+49 170 1234567', types: ['cell'], raw: 'TEL;CELL:+49 170 1234567' },
    ]);
    expect(hans?.emails[0]).toMatchObject({ value: 'hans@example.de', types: ['pref', 'internet'] });
    expect(hans?.note).toBe('Erste Zeile\r\nzweite Zeile mit Grüßen');
    expect(hans?.photo).toBe('data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD');
    expect(hans?.extra).toEqual(['X-CUSTOM-FIELD:keep me']);
    expect(sam?.name).toMatchObject({ family: 'Second', given: 'Sam' });
    expect(contactFromVCard(hans as NonNullable<typeof hans>).fields).toMatchObject({
      firstName: 'Hans',
      lastName: 'Müller',
      email: 'hans@example.de',
      phone: '+49 30 1234567',
      phones: [{ value: '+49 170 1234567', label: 'mobile' }],
    });
  });

  it('reads 3.0 from Apple-style exports: grouped properties, folded lines, Windows-1252 bytes', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Gar\\,cía;José;;;',
      'FN:José García',
      'item1.EMAIL;type=INTERNET;type=pref:jose@example.es',
      'item1.X-ABLabel:_$!<Other>!$_',
      'ORG:Ejemplo S.L.;Ventas',
      'NOTE:a long note that was folded by the writing client somewhere in the',
      '  middle of a word',
      'END:VCARD',
      '',
    ].join('\n');
    const [card] = parseVCards(iconv.encode(text, 'win1252'));
    expect(card?.name?.family).toBe('Gar,cía');
    expect(card?.fn).toBe('José García');
    expect(card?.emails).toEqual([
      {
        value: 'jose@example.es',
        types: ['internet', 'pref'],
        raw: 'item1.EMAIL;type=INTERNET;type=pref:jose@example.es',
      },
    ]);
    expect(card?.org).toEqual(['Ejemplo S.L.', 'Ventas']);
    expect(card?.note).toBe('a long note that was folded by the writing client somewhere in the middle of a word');
    expect(card?.extra).toEqual(['item1.X-ABLabel:_$!<Other>!$_']);
    // Unknown properties are written back as they came.
    const again = toVCard({ firstName: 'José', extra: card?.extra });
    expect(again).toContain('item1.X-ABLabel:_$!<Other>!$_\r\n');
  });

  it('writes jCard (RFC 7095) with the same properties as vCard 4.0', () => {
    const [kind, props] = toJCard(jane);
    expect(kind).toBe('vcard');
    const byName = (n: string) => props.filter((p) => p[0] === n);
    expect(byName('version')).toEqual([['version', {}, 'text', '4.0']]);
    expect(byName('n')).toEqual([['n', {}, 'text', ['Doe-Łukasiewicz', 'Jane', '', '', '']]]);
    expect(byName('uid')).toEqual([['uid', {}, 'uri', 'urn:uuid:0190f1a2-3b4c-7d5e-8f60-718293a4b5c6']]);
    expect(byName('tel')).toEqual([
      ['tel', { type: ['voice'], pref: '1' }, 'uri', 'tel:+33123456789'],
      ['tel', { type: ['cell', 'voice'] }, 'uri', 'tel:+33612345678'],
    ]);
    expect(byName('org')).toEqual([['org', {}, 'text', ['Acme, Inc.', 'Procurement']]]);
    expect(byName('bday')).toEqual([['bday', {}, 'date', '1985-04-12']]);
    expect(byName('rev')).toEqual([['rev', {}, 'timestamp', '2026-01-02T03:04:05Z']]);
    // Every vCard 4.0 property of the text form has its jCard counterpart.
    const names = toVCard(jane)
      .replace(/\r\n /g, '')
      .split('\r\n')
      .map((l) => l.split(/[;:]/)[0]?.toLowerCase())
      .filter((n) => n && !['begin', 'end', 'prodid', ''].includes(n));
    expect(new Set(props.map((p) => p[0]))).toEqual(new Set(names));
  });

  it('refuses what is not a vCard, naming the line', () => {
    expect(() => parseVCards('hello world')).toThrow(VCardError);
    expect(() => parseVCards('BEGIN:VCARD\nVERSION:3.0\nFN:x\n')).toThrow(/no END:VCARD/);
    expect(() => parseVCards('BEGIN:VCARD\nVERSION:5.0\nEND:VCARD')).toThrow(/VERSION 5.0/);
    expect(() => parseVCards('FN:orphan\n')).toThrow(/line 1/);
  });
});

/**
 * What toVCard writes, read by a real client's parser: python-vobject (the vCard library
 * of vdirsyncer, Radicale and python caldav). Needs python3-vobject
 * (`apt-get install -y python3-vobject`); fails with that command rather than skipping.
 */

/** Debian's interpreter (the package is installed for it), also when another python3 comes first in PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Reads every card on stdin with vobject and prints its properties as JSON (structured values as objects). */
const READER = `
import json, sys, vobject
def val(v):
    if isinstance(v, vobject.vcard.Name):
        return {"family": v.family, "given": v.given}
    if isinstance(v, vobject.vcard.Address):
        return {"street": v.street, "city": v.city, "region": v.region, "code": v.code, "country": v.country}
    return v
cards = []
for c in vobject.readComponents(sys.stdin.read(), validate=True):
    props = {}
    for name, lines in c.contents.items():
        props[name] = [{"value": val(l.value), "params": {k: v for k, v in l.params.items()}} for l in lines]
    cards.append(props)
print(json.dumps(cards))
`;

function vobjectRead(text: string): Promise<Record<string, { value: unknown; params: Record<string, string[]> }[]>[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', READER], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) {
        const hint = /No module named 'vobject'/.test(stderr) ? ' (apt-get install -y python3-vobject)' : '';
        reject(new Error(`vobject could not read the card${hint}: ${stderr || err.message}`));
      } else resolve(JSON.parse(stdout));
    });
    child.stdin?.end(text);
  });
}

/** Jane with what a reader gets wrong most: a `;` in a structured value, a long folded UTF-8 note, a kept line. */
const zoe: VCardContact = {
  ...jane,
  lastName: 'Doe-Łukasiewicz, PhD',
  address: { street: '1 rue de la Paix; Bât. B', city: 'Paris', region: null, postalCode: '75002', country: 'FR' },
  description: `Met at the fair.\n${'é'.repeat(80)}`,
  extra: ['X-SOCIALPROFILE;TYPE=twitter:zoe'],
};

describe('vCard written by toVCard, read by python-vobject', () => {
  for (const version of ['3.0', '4.0'] as const) {
    it(`vCard ${version}: every property reads back with its value, escapes undone and folds joined`, async () => {
      const [card, ...rest] = await vobjectRead(
        toVCard(zoe, { version }) + toVCard({ firstName: 'Only' }, { version }),
      );
      expect(rest).toHaveLength(1);
      const one = (name: string) => card?.[name]?.map((p) => p.value);
      expect(one('version')).toEqual([version]);
      expect(one('fn')).toEqual(['Jane Doe-Łukasiewicz, PhD']);
      expect(one('n')).toEqual([{ family: 'Doe-Łukasiewicz, PhD', given: 'Jane' }]);
      expect(one('uid')).toEqual([version === '4.0' ? `urn:uuid:${zoe.id}` : zoe.id]);
      expect(one('email')).toEqual(['jane@acme.example', 'jane.home@example.org']);
      expect(one('tel')).toEqual(
        version === '4.0' ? ['tel:+33123456789', 'tel:+33612345678'] : ['+33123456789', '+33612345678'],
      );
      expect(one('org')).toEqual([['Acme, Inc.', 'Procurement']]);
      expect(one('title')).toEqual(['Head of buying; Europe']);
      expect(one('adr')).toEqual([
        { street: '1 rue de la Paix; Bât. B', city: 'Paris', region: '', code: '75002', country: 'FR' },
      ]);
      expect(one('bday')).toEqual([version === '4.0' ? '19850412' : '1985-04-12']);
      expect(one('note')).toEqual([`Met at the fair.\n${'é'.repeat(80)}`]);
      expect(one('x-socialprofile')).toEqual(['zoe']);
      // The preferred address and number, and the labels, as parameters a client reads.
      const params = (name: string) => card?.[name]?.map((p) => p.params);
      if (version === '4.0') {
        expect(params('email')?.[0]).toMatchObject({ PREF: ['1'] });
        expect(params('tel')?.[1]).toMatchObject({ VALUE: ['uri'], TYPE: ['cell,voice'] });
      } else {
        expect(params('email')?.[0]?.TYPE?.map((t) => t.toLowerCase())).toEqual(['internet', 'pref']);
        expect(params('tel')?.[1]?.TYPE).toEqual(['cell']);
      }
    });
  }
});
