// No zod here: the web app's segment editor imports this list as a value.
import type { FilterOperator } from './filter-ops';

/**
 * The behaviour conditions of the filter tree (what a lead or contact did), as the server's
 * segments module registers them (server/modules/segments/engagement.ts) and the segment
 * editor offers them: `{ field: "@visited", op, value: { page, days, kind } }`.
 */
export interface BehaviourConditionInfo {
  name: '@visited' | '@submittedForm' | '@emailEngaged';
  label: string;
  objects: readonly string[];
  /** The operators it takes, the usual one first, each with its words in the editor. */
  ops: readonly { op: FilterOperator; label: string }[];
}

export const BEHAVIOUR_CONDITION_INFO: readonly BehaviourConditionInfo[] = [
  {
    name: '@visited',
    label: 'Visited a page',
    objects: ['contacts', 'leads'],
    ops: [
      { op: 'contains', label: 'page contains' },
      { op: 'eq', label: 'page is' },
      { op: 'startsWith', label: 'page starts with' },
      { op: 'endsWith', label: 'page ends with' },
      { op: 'isNotEmpty', label: 'any page' },
    ],
  },
  {
    name: '@submittedForm',
    label: 'Submitted a form',
    objects: ['contacts', 'leads'],
    ops: [
      { op: 'eq', label: 'form is' },
      { op: 'in', label: 'form is one of' },
      { op: 'isNotEmpty', label: 'any form' },
    ],
  },
  {
    name: '@emailEngaged',
    label: 'Opened or clicked an email',
    objects: ['contacts', 'leads'],
    ops: [{ op: 'isNotEmpty', label: 'any email' }],
  },
];

/** The longest window a behaviour condition looks back ("in the last N days"). */
export const MAX_BEHAVIOUR_DAYS = 3650;
