import { describe, expect, it } from 'vitest';
import { feedBodyParts } from './feed-body';

describe('feed message bodies', () => {
  it('splits people, records and restricted records from the text', () => {
    const u = '0190a0b0-0000-7000-8000-000000000001';
    const r = '0190a0b0-0000-7000-8000-000000000002';
    const body = `Hi @[Mia](user:${u}), see @[Acme deal](opportunities:${r}) and @[restricted account](accounts:${r})`;
    expect(feedBodyParts(body, new Set([`accounts:${r}`]))).toEqual([
      { at: 0, text: 'Hi ' },
      { at: 3, person: { id: u, name: 'Mia' } },
      { at: 3 + `@[Mia](user:${u})`.length, text: ', see ' },
      expect.objectContaining({ record: { object: 'opportunities', id: r, title: 'Acme deal', restricted: false } }),
      expect.objectContaining({ text: ' and ' }),
      expect.objectContaining({ record: { object: 'accounts', id: r, title: 'restricted account', restricted: true } }),
    ]);
  });
});
