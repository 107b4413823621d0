import { describe, expect, it } from 'vitest';
import type { ObjectMeta } from '../objects/api/objects.api';
import { type NavContext, navActions, navPages } from './navigation';

const object = (name: string, singular: string, labelPlural: string, create = true) =>
  ({
    name,
    singular,
    label: singular,
    labelPlural,
    fields: [],
    permissions: { create, read: true, update: create, delete: false, export: false, scope: 'all' },
  }) as unknown as ObjectMeta;

const objects = [
  object('accounts', 'account', 'Accounts'),
  object('contacts', 'contact', 'Contacts'),
  object('opportunities', 'opportunity', 'Opportunities'),
  object('tasks', 'task', 'Tasks'),
  object('staff', 'staff member', 'Staff', false),
  object('projects', 'project', 'Projects'), // a custom object
];
const ctx = (role: string, admin = false): NavContext => ({ role, admin, person: true, objects });

describe('navigation registry', () => {
  it('groups every object’s list, custom objects under Records', () => {
    const pages = navPages(ctx('sales_rep'));
    const group = (key: string) => pages.find((p) => p.key === key)?.group;
    expect(group('object:contacts')).toBe('customers');
    expect(group('object:opportunities')).toBe('sales');
    expect(group('object:tasks')).toBe('activities');
    expect(group('object:projects')).toBe('records');
    expect(pages.map((p) => p.group)).toEqual([...pages.map((p) => p.group)].sort(groupOrder));
  });

  it('offers workflows and administration only to the roles that have them', () => {
    const keys = (c: NavContext) => navPages(c).map((p) => p.key);
    expect(keys(ctx('sales_rep'))).not.toContain('workflows');
    expect(keys(ctx('sales_rep'))).not.toContain('admin');
    expect(keys(ctx('marketing_manager'))).toContain('workflows');
    expect(keys(ctx('marketing_manager'))).toContain('forms');
    expect(keys(ctx('sales_rep'))).not.toContain('forms');
    expect(keys(ctx('marketing_manager'))).toContain('sequences');
    expect(keys(ctx('sales_rep'))).not.toContain('sequences');
    const admin = keys(ctx('administrator', true));
    expect(admin).toEqual(expect.arrayContaining(['workflows', 'admin', 'admin:roles', 'admin:users']));
    expect(
      navPages(ctx('administrator', true))
        .find((p) => p.key === 'admin')
        ?.current('/admin/roles'),
    ).toBe(true);
  });

  it('actions create what the role may create', () => {
    const labels = navActions(ctx('sales_rep')).map((a) => a.label);
    expect(labels).toEqual(expect.arrayContaining(['New account', 'New contact', 'New project']));
    expect(labels).not.toContain('New staff member');
    expect(labels).not.toContain('New workflow');
    expect(navActions(ctx('administrator', true)).map((a) => a.label)).toContain('New workflow');
  });
});

const ORDER = [
  'planner',
  'sales',
  'customers',
  'marketing',
  'service',
  'activities',
  'records',
  'workspace',
  'settings',
];
const groupOrder = (a: string, b: string) => ORDER.indexOf(a) - ORDER.indexOf(b);
