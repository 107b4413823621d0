import { describe, expect, it } from 'vitest';
import type { ObjectMeta } from '../objects/api/objects.api';
import { type HomeContext, homeCardsFor } from './home-cards';

const objects = ['accounts', 'contacts', 'leads', 'opportunities', 'tasks', 'meetings'].map(
  (name) => ({ name, fields: [] }) as unknown as ObjectMeta,
);
const ctx = (role: string, admin = false): HomeContext => ({ role, admin, person: true, objects, userId: 'u1' });
const keys = (c: HomeContext) => homeCardsFor(c).map((card) => card.key);

describe('home cards per role', () => {
  it('puts first what each role needs first', () => {
    expect(keys(ctx('sales_rep')).slice(0, 3)).toEqual(['create', 'my-day', 'open-opportunities']);
    expect(keys(ctx('marketing_manager')).slice(0, 2)).toEqual(['create', 'leads']);
    expect(keys(ctx('service_rep')).slice(0, 3)).toEqual(['create', 'my-day', 'activity']);
    expect(keys(ctx('administrator', true)).slice(0, 3)).toEqual(['create', 'workspace', 'open-opportunities']);
  });

  it('leaves out what a role does not work with or may not read', () => {
    expect(keys(ctx('service_rep'))).not.toContain('open-opportunities');
    expect(keys(ctx('sales_rep'))).not.toContain('workspace');
    expect(keys(ctx('sales_rep'))).not.toContain('leads');
    const noDeals = { ...ctx('sales_rep'), objects: objects.filter((o) => o.name !== 'opportunities') };
    expect(keys(noDeals)).not.toContain('open-opportunities');
    expect(keys({ ...ctx('sales_rep'), userId: null })).not.toContain('my-day');
  });
});
