import { describe, expect, it } from 'vitest';
import { reverseSort } from './sort';

describe('reverseSort', () => {
  it('flips every key (the API flips the id tie-breaker with the last key)', () => {
    expect(reverseSort('lastName,firstName')).toBe('-lastName,-firstName');
    expect(reverseSort('-createdAt')).toBe('createdAt');
    expect(reverseSort(' +name , -score')).toBe('-name,score');
  });
});
