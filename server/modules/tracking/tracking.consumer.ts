import type { EventConsumer } from '../../platform/events/dispatcher';
import type { StoredEvent } from '../../platform/events/events';
import { identifyVisitor, isVisitorObject, VISITOR_ID } from './tracking.service';

/** The visitor a `form.submitted` event identifies: its lead or contact and `data.visitorId`, if any. */
export function identificationOf(
  e: StoredEvent,
): { visitorId: string; object: 'leads' | 'contacts'; recordId: string } | null {
  const visitorId = e.data?.visitorId;
  if (typeof visitorId !== 'string' || !VISITOR_ID.test(visitorId)) return null;
  if (!isVisitorObject(e.object) || !e.recordId) return null;
  return { visitorId, object: e.object, recordId: e.recordId };
}

/**
 * Identifies website visitors from form submissions: a `form.submitted` event whose data names
 * the submitting browser's visitor id links that visitor to the lead or contact the form created
 * or updated (identifyVisitor: its earlier views replay as `page.viewed`, later ones follow).
 * Runs in the dispatcher's system transaction; a redelivered event links nothing twice.
 */
export function trackingConsumer(): EventConsumer {
  return {
    name: 'tracking',
    types: ['form.submitted'],
    async handle(tx, events) {
      let wrote = false;
      for (const e of events) {
        const who = identificationOf(e);
        if (!who) continue;
        const r = await identifyVisitor(tx, e.workspaceId, who.visitorId, who.object, who.recordId, 'form');
        wrote = r.linked || wrote;
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}
