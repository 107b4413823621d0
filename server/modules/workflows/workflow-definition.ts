import type { Step, Trigger } from '../../../common/contracts/workflows';

export {
  type Definition,
  DefinitionSchema,
  STEP_TYPES,
  type Step,
  StepSchema,
  type Trigger,
  TriggerSchema,
  type UserRef,
} from '../../../common/contracts/workflows';

/** The object whose records runs are about (none for object-less schedules and hooks). */
export const objectOf = (t: Trigger): string | undefined => ('object' in t ? t.object : undefined);

/** A step's position: indices into lists and branch arms, e.g. [2, 'yes', 0] ⇄ "2.yes.0". */
export type StepPath = (number | 'yes' | 'no')[];

export const pathKey = (p: StepPath): string => p.join('.');
export const parsePath = (key: string): StepPath =>
  key.split('.').map((k) => (k === 'yes' || k === 'no' ? k : Number(k)));

/** The list a path points into and the step there. */
function listAt(steps: Step[], path: StepPath): Step[] | undefined {
  let list: Step[] = steps;
  for (let i = 0; i < path.length - 1; i += 2) {
    const s = list[path[i] as number];
    if (s?.type !== 'branch') return undefined;
    list = s[path[i + 1] as 'yes' | 'no'];
  }
  return list;
}

export function stepAt(steps: Step[], path: StepPath): Step | undefined {
  return listAt(steps, path)?.[path[path.length - 1] as number];
}

/** The step after `path` once it (and, for a branch, its arm) is done: next sibling, else up a level. */
export function nextAfter(steps: Step[], path: StepPath): StepPath | undefined {
  let p = [...path];
  while (p.length > 0) {
    const list = listAt(steps, p);
    const idx = (p[p.length - 1] as number) + 1;
    if (list && idx < list.length) return [...p.slice(0, -1), idx];
    p = p.slice(0, -2); // leave the arm: continue after the branch step itself
  }
  return undefined;
}

export const waitMs = (s: { amount: number; unit: 'seconds' | 'minutes' | 'hours' | 'days' }): number =>
  s.amount * { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 }[s.unit];
