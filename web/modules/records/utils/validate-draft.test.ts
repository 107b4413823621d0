import { describe, expect, it } from 'vitest';
import { fieldMeta } from './test-objects';
import { draftProblem } from './validate-draft';

// The form's checks before sending: the shared schemas applied to what the user typed.
describe('draftProblem', () => {
  it('refuses a phone or an email the API would refuse, with the API’s message', () => {
    expect(draftProblem(fieldMeta('phone', 'phone'), '555-PHONE', 'create')).toBe(
      'must be a valid phone number in international format, e.g. +33 1 23 45 67 89',
    );
    expect(draftProblem(fieldMeta('phone', 'phone'), '+1 202 555 0143', 'create')).toBeNull();
    expect(draftProblem(fieldMeta('email', 'email'), 'grace@', 'create')).toBe('must be a valid email address');
    expect(draftProblem(fieldMeta('phones', 'phones'), ['+33 1 23 45 67 89', 'nope'], 'create')).toBe(
      '1.value: must be a valid phone number in international format, e.g. +33 1 23 45 67 89',
    );
  });

  it('names the part of a composite field that is wrong', () => {
    const money = fieldMeta('annualRevenue', 'money');
    expect(draftProblem(money, { amount: '12', currency: 'EURO' }, 'create')).toBe(
      'currency: must be an ISO 4217 currency code, e.g. EUR',
    );
    expect(draftProblem(money, { amount: '12.5', currency: 'eur' }, 'create')).toBeNull();
  });

  it('asks for required fields on create and refuses to empty them on update', () => {
    const name = fieldMeta('name', 'text', { required: true });
    expect(draftProblem(name, '', 'create')).toBe('is required');
    expect(draftProblem(name, '', 'update', 'Acme')).toBe('is required and cannot be empty');
    expect(draftProblem(fieldMeta('nickname', 'text'), '', 'create')).toBeNull();
  });

  it('leaves unchanged values alone on update and keeps the form’s own parse errors', () => {
    // A stored value is not re-checked: it is not sent.
    expect(draftProblem(fieldMeta('phone', 'phone'), 'legacy', 'update', 'legacy')).toBeNull();
    expect(draftProblem(fieldMeta('employees', 'integer'), '12.5', 'create')).toBe('must be a whole number');
    expect(draftProblem(fieldMeta('employees', 'integer', { min: 0 }), '-1', 'create')).toMatch(/^must be at least 0$/);
  });
});
