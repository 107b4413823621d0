import { describe, expect, it } from 'vitest';
import { cardToFields, contactToVCard, parseVCard, requestedVersion } from './vcard-map';

describe('the DAV module’s use of the platform vCard library', () => {
  it('maps what DAV syncs and keeps the lines a field cannot hold', () => {
    const card = parseVCard(
      [
        'BEGIN:VCARD',
        'VERSION:4.0',
        'UID:abc',
        'N:O\\;Brien;Se',
        ' án;;;',
        'item1.EMAIL;TYPE="work,pref":sean@example.ie',
        'EMAIL;TYPE=home:sean.home@example.ie',
        'TEL;VALUE=uri;TYPE=cell:tel:+353-1-234-5678',
        'TEL:12345',
        'ADR;TYPE=work:;;1 Main St\\, Unit 2;Dublin;;D01;IE',
        'ADR;TYPE=home:;;Elsewhere;;;;Ireland',
        'BDAY:19800101',
        'ORG:Acme;Sales',
        'NOTE:line one\\nline two',
        'X-CUSTOM;X-PARAM="a:b":value:with:colons',
        'END:VCARD',
      ].join('\r\n'),
    );
    expect(card).toMatchObject({ version: '4.0', uid: 'abc' });
    const { fields, kept } = cardToFields(card);
    expect(fields).toEqual({
      lastName: 'O;Brien',
      firstName: 'Seán',
      email: 'sean@example.ie',
      emails: [{ value: 'sean.home@example.ie', label: 'home' }],
      phone: '+35312345678',
      address: { street: '1 Main St, Unit 2', city: 'Dublin', postalCode: 'D01', country: 'IE', region: null },
      description: 'line one\nline two',
      title: null, // not on the card: a PUT clears it
      phones: [],
    });
    // Not a field DAV syncs (birthday: sensitive; organisation), or not a value a field holds.
    expect(kept).toEqual([
      'TEL:12345',
      'ADR;TYPE=home:;;Elsewhere;;;;Ireland',
      'BDAY:19800101',
      'ORG:Acme;Sales',
      'X-CUSTOM;X-PARAM="a:b":value:with:colons',
    ]);
  });

  it('refuses what is not one vCard 3.0 or 4.0 with a 4xx problem', () => {
    const status = (text: string) => {
      try {
        parseVCard(text);
        return 'parsed';
      } catch (err) {
        return (err as { code?: string }).code;
      }
    };
    expect(status('hello')).toBe('validation_failed');
    expect(status('FN:x')).toBe('validation_failed');
    expect(status('BEGIN:VCARD\r\nVERSION:2.1\r\nFN:x\r\nEND:VCARD')).toBe('validation_failed');
    expect(status('BEGIN:VCARD\r\nFN:no version\r\nEND:VCARD')).toBe('validation_failed');
    expect(status('BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD')).toBe(
      'validation_failed',
    );
    expect(status(`BEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:${'x'.repeat(300_000)}\r\nEND:VCARD`)).toBe('payload_too_large');
    expect(() => parseVCard('hello')).toThrow(/vCard: line 1: not a vCard property/);
  });

  it('serves the record under the client’s UID with its kept lines, in the version asked for', () => {
    const record = {
      id: '0190b4d1-0000-7000-8000-000000000001',
      firstName: 'Zoë',
      lastName: 'Ünal, PhD',
      email: 'zoe@example.com',
      phone: '+33123456789',
      phones: [{ value: '+33612345678', label: 'mobile' }],
      birthday: '1990-01-01', // not a field DAV serves
      updatedAt: '2026-01-02T03:04:05.678Z',
    };
    const v4 = contactToVCard(record, { version: '4.0', uid: record.id, kept: ['X-A:1', 'VERSION:3.0'] });
    expect(v4).toContain(`UID:urn:uuid:${record.id}\r\n`);
    expect(v4).toContain('FN:Zoë Ünal\\, PhD\r\n');
    expect(v4).toContain('TEL;VALUE=uri;TYPE=voice;PREF=1:tel:+33123456789\r\n');
    expect(v4).toContain('X-A:1\r\nEND:VCARD\r\n');
    expect(v4).not.toContain('BDAY');
    expect(v4.match(/VERSION:/g)).toHaveLength(1);
    const v3 = contactToVCard(record, { version: '3.0', uid: 'client-uid', kept: [] });
    expect(v3).toContain('UID:client-uid\r\n');
    expect(v3).toContain('TEL;TYPE=pref:+33123456789\r\n');
    const back = cardToFields(parseVCard(v3)).fields;
    expect(back).toMatchObject({ firstName: 'Zoë', lastName: 'Ünal, PhD', phone: '+33123456789' });
    expect(back.phones).toEqual([{ value: '+33612345678', label: 'mobile' }]);
  });

  it('reads the version a client asks for', () => {
    expect(requestedVersion('text/vcard; version=3.0')).toBe('3.0');
    expect(requestedVersion('text/vcard;version="4.0", */*')).toBe('4.0');
    expect(requestedVersion('text/vcard')).toBeNull();
    expect(requestedVersion(undefined)).toBeNull();
  });
});
