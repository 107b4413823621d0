import type { Definition, Step, StepType, Trigger, TriggerType } from '../api/workflows.api';

export const TRIGGER_LABELS: Record<TriggerType, string> = {
  record_created: 'A record is created',
  field_changed: 'A field changes',
  stage_moved: 'A stage moves',
  date_reached: 'A date is reached',
  schedule: 'On a schedule',
  webhook: 'A webhook is received',
  manual: 'Run by hand on a selection',
  event: 'An event happens (a record enters a segment…)',
};

/** Event types offered for `event` triggers (the server checks its registry when saving). */
export { TRIGGER_EVENTS } from '../../../../common/trigger-events';

export const STEP_LABELS: Record<StepType, string> = {
  update_fields: 'Update fields',
  create_task: 'Create a task',
  assign_owner: 'Assign an owner',
  add_tag: 'Add tags',
  remove_tag: 'Remove tags',
  send_email: 'Send an email',
  notify: 'Notify users',
  webhook: 'Call a webhook',
  create_record: 'Create a record',
  campaign_email: 'Send a campaign email',
  enroll_in_sequence: 'Enrol in a sequence',
  wait: 'Wait',
  branch: 'If / else',
};

/** A new step's id: short, unique enough within one definition. */
export const newStepId = () => `s${Math.random().toString(36).slice(2, 8)}`;

/** A step of `type` with the settings it needs, ready to edit. */
export function newStep(type: StepType): Step {
  const id = newStepId();
  switch (type) {
    case 'update_fields':
    case 'create_record':
      return { id, type, values: {}, ...(type === 'create_record' ? { object: 'contacts' } : {}) };
    case 'create_task':
      return { id, type, title: 'Follow up on {{record.name}}', dueInDays: 2, assignTo: 'record_owner' };
    case 'assign_owner':
      return { id, type, mode: 'user' };
    case 'add_tag':
    case 'remove_tag':
      return { id, type, tags: [] };
    case 'send_email':
      return { id, type, to: 'record', subject: '', body: '' };
    case 'notify':
      return { id, type, users: [], title: '' };
    case 'webhook':
      return { id, type, url: 'https://', method: 'POST' };
    case 'campaign_email':
      return { id, type };
    case 'enroll_in_sequence':
      return { id, type, leaveCurrent: false };
    case 'wait':
      return { id, type, amount: 1, unit: 'days' };
    case 'branch':
      return { id, type, yes: [], no: [] };
  }
}

export const emptyDefinition = (object = 'accounts'): Definition => ({
  trigger: { type: 'record_created', object },
  steps: [],
});

/** Whether a trigger type is about records of an object. */
export const needsObject = (t: TriggerType) => t !== 'schedule' && t !== 'webhook';
export const hasField = (t: TriggerType) => t === 'field_changed' || t === 'stage_moved' || t === 'date_reached';

/** A short sentence for the list page. */
export function describeTrigger(t: Trigger): string {
  const obj = t.object ? ` (${t.object})` : '';
  if (t.type === 'field_changed' || t.type === 'stage_moved') return `${t.field ?? 'field'} changes${obj}`;
  if (t.type === 'date_reached') {
    const d = t.offsetDays ?? 0;
    const rel = d === 0 ? 'on' : d < 0 ? `${-d} days before` : `${d} days after`;
    return `${rel} ${t.field ?? 'a date'}${obj}`;
  }
  if (t.type === 'schedule') return `schedule ${t.cron ?? ''}${obj}`;
  if (t.type === 'event') return `${t.event ?? 'an event'}${obj}`;
  return `${TRIGGER_LABELS[t.type]}${obj}`;
}

/** Drops branch conditions left empty in the editor (the API wants a real filter or none). */
export function cleanSteps(steps: Step[]): Step[] {
  return steps.map((s) => {
    if (s.type !== 'branch') return s;
    return { ...s, yes: cleanSteps(s.yes as Step[]), no: cleanSteps(s.no as Step[]) };
  });
}
