import { describe, expect, it } from 'vitest';
import { TRIGGER_EVENTS } from '../common/trigger-events';
import { MODULES } from '../server/modules';
import { triggerEvents } from '../server/platform/events/trigger-events';
import { registerModuleRules } from '../server/platform/modules';

describe('workflow triggers by event type', () => {
  it('the workflow builder offers exactly the event types the modules register', () => {
    registerModuleRules(MODULES);
    expect([...TRIGGER_EVENTS].sort()).toEqual(triggerEvents());
    for (const type of [
      'segment.entered',
      'form.submitted',
      'consent.changed',
      'lead.mql',
      'sla.breached',
      'csat.received',
    ]) {
      expect(triggerEvents()).toContain(type);
    }
  });
});
