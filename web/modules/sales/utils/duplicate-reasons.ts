import type { Duplicate } from '../api/sales.api';

/** What each duplicate reason means to a person. */
export const DUPLICATE_REASONS: Record<Duplicate['reasons'][number], string> = {
  email: 'same email',
  phone: 'same phone',
  shared_phone: 'shared phone (several records)',
  domain: 'same domain',
  name: 'same name',
};

/** "92 % sure". */
export const sureness = (d: Duplicate) => `${Math.round(d.score * 100)} % sure`;
