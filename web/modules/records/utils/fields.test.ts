import { describe, expect, it } from 'vitest';
import {
  compactIncluded,
  editableFields,
  groupFields,
  includesFor,
  listColumns,
  listFields,
  recordTitle,
  relatedLists,
} from './fields';
import { accountsMeta, contactsMeta } from './test-objects';

describe('metadata helpers', () => {
  it('titles a record from its title fields, then its subtitle, then a placeholder', () => {
    expect(recordTitle(contactsMeta, { firstName: 'Ada', lastName: 'Lovelace' })).toBe('Ada Lovelace');
    expect(recordTitle(contactsMeta, { lastName: 'Lovelace', firstName: '' })).toBe('Lovelace');
    expect(recordTitle(contactsMeta, { email: 'ada@example.com' })).toBe('ada@example.com');
    expect(recordTitle(contactsMeta, {})).toBe('Untitled contact');
  });

  it('lists visible columns: title fields first, owner last, bookkeeping and long text left out', () => {
    const names = listColumns(contactsMeta).map((f) => f.name);
    expect(names).toEqual(['firstName', 'lastName', 'email', 'accountId', 'ownerId']);
    expect(listColumns(accountsMeta).map((f) => f.name)).not.toContain('description');
  });

  it('asks the API to embed the to-one relations the columns show', () => {
    expect(includesFor(contactsMeta, listColumns(contactsMeta))).toEqual(['account', 'owner']);
  });

  it('offers every writable field in forms, owner included, system fields not', () => {
    const names = editableFields(accountsMeta).map((f) => f.name);
    expect(names).toContain('ownerId');
    expect(names).not.toContain('id');
    expect(names).not.toContain('createdAt');
  });

  it('groups fields for pages and forms, tags last among the details', () => {
    const groups = groupFields(accountsMeta.fields);
    expect(groups.map((g) => g.label)).toEqual([
      'Details',
      'Contact information',
      'Relations',
      'Custom fields',
      'System',
    ]);
    expect(groups[0]?.fields.at(-1)?.name).toBe('tags');
    expect(groups.find((g) => g.label === 'Custom fields')?.fields.map((f) => f.name)).toEqual(['score']);
  });

  it('builds related lists from the inverse relations in the metadata', () => {
    const lists = relatedLists(accountsMeta, [accountsMeta, contactsMeta]);
    expect(lists.map((l) => [l.include, l.object.name, l.via, l.label])).toEqual([
      ['contacts', 'contacts', 'accountId', 'Contacts'],
      ['childAccounts', 'accounts', 'parentAccountId', 'Subsidiaries'],
    ]);
    // An object the caller cannot see (absent from the metadata) has no list.
    expect(relatedLists(accountsMeta, [accountsMeta]).map((l) => l.include)).toEqual(['childAccounts']);
  });
});

describe('what a list keeps of each record', () => {
  it('asks only for its columns and the title and subtitle fields', () => {
    const columns = contactsMeta.fields.filter((f) => ['email', 'accountId'].includes(f.name));
    expect(listFields(contactsMeta, columns)).toEqual(['email', 'accountId', 'firstName', 'lastName']);
  });

  it('shrinks embedded records to what a cell shows of them', () => {
    const compact = compactIncluded(contactsMeta, [accountsMeta, contactsMeta], ['account', 'owner']);
    const row = {
      id: 'c1',
      version: 3,
      accountId: 'a1',
      account: {
        id: 'a1',
        version: 9,
        name: 'Acme',
        domain: 'acme.test',
        industry: 'software',
        address: { city: 'Lyon' },
      },
      owner: { id: 'u1', name: 'Ada', email: 'ada@acme.test' },
    };
    expect(compact?.(row)).toEqual({
      id: 'c1',
      version: 3,
      accountId: 'a1',
      account: { id: 'a1', name: 'Acme', domain: 'acme.test' },
      owner: { id: 'u1', name: 'Ada', email: 'ada@acme.test' },
    });
    expect(compact?.({ id: 'c2', version: 1, accountId: null, account: null })).toEqual({
      id: 'c2',
      version: 1,
      accountId: null,
      account: null,
    });
    expect(compactIncluded(contactsMeta, [accountsMeta], [])).toBeUndefined();
  });
});
