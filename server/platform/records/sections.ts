import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import type { RecordService } from './records.service';

/**
 * A part of a record's single view that is not a relation (the recent timeline):
 * `GET /{object}/{id}?include=<name>` embeds what `load` returns and its count. A module
 * registers its sections in its registration (`sections`); `load` must show the caller
 * only what they may read, as every read path does (the record itself is already
 * checked visible when it runs).
 */
export interface RecordSection {
  name: string;
  label: string;
  /** The objects whose records have the section; absent: every object. */
  objects?: string[];
  load(
    tx: Tx,
    deps: { records: RecordService; actor: Actor },
    record: { object: string; id: string },
    limit: number,
  ): Promise<{ items: unknown[]; count: number }>;
}

const SECTIONS = new Map<string, RecordSection>();

/** Registers a section (idempotent by name: tests start several runtimes). */
export function registerRecordSection(section: RecordSection): void {
  SECTIONS.set(section.name, section);
}

/** The section named `name` that records of `object` have, if any. */
export function recordSection(object: string, name: string): RecordSection | undefined {
  const s = SECTIONS.get(name);
  return s && (!s.objects || s.objects.includes(object)) ? s : undefined;
}

/** The sections records of `object` have. */
export function recordSections(object: string): RecordSection[] {
  return [...SECTIONS.values()].filter((s) => !s.objects || s.objects.includes(object));
}
