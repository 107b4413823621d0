/**
 * Event types a workflow may start on (`{ type: "event", event }` triggers): modules add
 * theirs through their registration's `triggers` (segments: segment.entered and
 * segment.left; forms, SLAs, CSAT and scoring add theirs the same way). Only events about
 * one record (object + recordId) start runs; the run's record is that record.
 */
const TRIGGER_EVENTS = new Set<string>();

/** Adds event types workflows may start on (the same type twice changes nothing). */
export function registerTriggerEvents(types: readonly string[]): void {
  for (const t of types) TRIGGER_EVENTS.add(t);
}

/** Every event type workflows may start on, sorted. */
export const triggerEvents = (): string[] => [...TRIGGER_EVENTS].sort();

export const isTriggerEvent = (type: string): boolean => TRIGGER_EVENTS.has(type);
