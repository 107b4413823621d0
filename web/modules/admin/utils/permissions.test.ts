import { describe, expect, it } from 'vitest';
import type { RolePermissions } from '../api/admin.api';
import { effective, fieldRule, followDefault, overrides, roleKeyFrom, setAccess, setFieldRule } from './permissions';

const rep: RolePermissions = {
  objects: {
    '*': { create: true, read: true, update: true, delete: true, export: false, scope: 'own' },
    accounts: { where: { field: 'type', op: 'ne', value: 'supplier' } },
    staff: { read: true, update: false, scope: 'all', fields: { personalEmail: 'hidden' } },
  },
};

describe('role permission editing', () => {
  it('resolves an object over "*" like the server does', () => {
    expect(effective(rep, 'contacts')).toEqual({
      create: true,
      read: true,
      update: true,
      delete: true,
      export: false,
      scope: 'own',
    });
    expect(effective(rep, 'staff')).toMatchObject({ update: false, scope: 'all', create: true });
    expect(effective({ objects: {} }, 'contacts')).toMatchObject({ read: false, scope: 'own' });
    expect(overrides(rep, 'accounts')).toBe(false);
    expect(overrides(rep, 'staff')).toBe(true);
  });

  it('sets one action on one object, keeping its row rule and the other objects', () => {
    const next = setAccess(rep, 'accounts', 'export', true);
    expect(next.objects.accounts).toEqual({ where: rep.objects.accounts?.where, export: true });
    expect(next.objects['*']).toBe(rep.objects['*']);
    expect(rep.objects.accounts).not.toHaveProperty('export'); // not mutated
    expect(effective(setAccess(rep, '*', 'scope', 'team'), 'contacts').scope).toBe('team');
  });

  it('follows the default again without losing field rules; drops empty entries', () => {
    const back = followDefault(rep, 'staff');
    expect(back.objects.staff).toEqual({ fields: { personalEmail: 'hidden' } });
    const gone = followDefault(setAccess({ objects: {} }, 'contacts', 'read', true), 'contacts');
    expect(gone.objects).toEqual({});
  });

  it('hides, makes read-only and shows fields', () => {
    let p = setFieldRule(rep, 'contacts', 'phone', 'hidden');
    expect(fieldRule(p, 'contacts', 'phone')).toBe('hidden');
    p = setFieldRule(p, 'contacts', 'phone', 'readOnly');
    expect(p.objects.contacts).toEqual({ fields: { phone: 'readOnly' } });
    p = setFieldRule(p, 'contacts', 'phone', undefined);
    expect(p.objects.contacts).toBeUndefined();
    expect(fieldRule(rep, 'staff', 'personalEmail')).toBe('hidden');
  });

  it('makes role keys from names', () => {
    expect(roleKeyFrom('Field sales (EU)')).toBe('field_sales_eu');
    expect(roleKeyFrom('Équipe Nord')).toBe('equipe_nord');
    expect(roleKeyFrom('42 x')).toBe('');
    expect(roleKeyFrom('2nd line')).toBe('nd_line');
    expect(roleKeyFrom('1')).toBe('');
  });
});
