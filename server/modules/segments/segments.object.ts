import { SEGMENT_OBJECTS } from '../../../common/contracts/segments';
import type { FilterNode } from '../../../common/filter';
import { AppError } from '../../platform/http/errors';
import type { AfterWrite, BeforeWrite, ObjectDef } from '../../platform/records/types';
import { opt } from '../../platform/records/types';
import { baselineSegment } from './segment-baseline';

/**
 * Checks a segment's write: the object never changes after creation (members and
 * events are about its records); a dynamic segment has a filter, a static one none; the
 * filter compiles against the object as the WRITER's role sees it (a field hidden from
 * them is an unknown field). A new segment with a filter and no type is dynamic.
 */
async function beforeSegmentWrite(
  tx: Parameters<NonNullable<ObjectDef['beforeWrite']>>[0],
  w: BeforeWrite,
): Promise<{ errors?: { path: string; message: string }[]; set?: Record<string, unknown> } | undefined> {
  const p = w.pathPrefix;
  const set: Record<string, unknown> = {};
  if (w.before && 'object' in w.changes && w.changes.object !== w.before.object) {
    return { errors: [{ path: `${p}object`, message: 'cannot change once the segment exists; create a new segment' }] };
  }
  const object = (w.changes.object ?? w.before?.object) as string | undefined;
  const filter = 'filter' in w.changes ? w.changes.filter : w.before?.filter;
  let type = (w.changes.type ?? w.before?.type) as string | null | undefined;
  if (!type) {
    type = filter != null ? 'dynamic' : 'static';
    set.type = type;
  }
  if (type === 'dynamic' && filter == null) {
    return { errors: [{ path: `${p}filter`, message: 'is required for a dynamic segment' }] };
  }
  if (type === 'static' && filter != null) {
    return {
      errors: [{ path: `${p}filter`, message: 'a static segment has no filter; its members are added by hand' }],
    };
  }
  if (filter != null && object && !w.system) {
    try {
      await w.records.checkFilter(tx, w.actor, object, filter, `${p}filter`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'forbidden') return { errors: [{ path: `${p}object`, message: `you may not read ${object}` }] };
      if (err.errors.length === 0) return { errors: [{ path: `${p}filter`, message: err.message }] };
      return { errors: err.errors };
    }
  }
  return Object.keys(set).length ? { set } : undefined;
}

/** A new dynamic segment, or one whose filter or type changed: its membership snapshot, in the same transaction. */
async function afterSegmentWrite(
  tx: Parameters<NonNullable<ObjectDef['afterWrite']>>[0],
  w: AfterWrite,
): Promise<void> {
  const a = w.after;
  const b = w.before;
  const changed = !b || JSON.stringify(b.filter ?? null) !== JSON.stringify(a.filter ?? null) || b.type !== a.type;
  if (!changed) return;
  await baselineSegment(tx, w.records, w.actor.workspaceId, a.id as string, {
    object: a.object as string,
    type: (a.type as string | null) ?? null,
    filter: (a.filter as FilterNode | null) ?? null,
    deleted: a.deletedAt != null,
  });
}

/**
 * Segments: a named audience of contacts, leads or accounts. Dynamic: a filter tree
 * evaluated at read time (always current, no rebuild). Static: hand-picked members
 * (segment_members). Members are read through the target object's list, so the
 * reader's permissions on it apply.
 */
export const segmentsObject: ObjectDef = {
  name: 'segments',
  singular: 'segment',
  label: 'Segment',
  labelPlural: 'Segments',
  table: 'segments',
  titleFields: ['name'],
  subtitleFields: ['object', 'type'],
  defaultSort: 'name',
  fields: [
    { name: 'name', type: 'text', label: 'Name', required: true, maxLength: 200, search: 'A', fuzzy: true },
    { name: 'description', type: 'longText', label: 'Description', search: 'C' },
    { name: 'object', type: 'select', label: 'Of', required: true, options: opt(...SEGMENT_OBJECTS) },
    { name: 'type', type: 'select', label: 'Type', options: opt('dynamic', 'static'), indexed: true },
    { name: 'filter', type: 'json', label: 'Filter', hidden: true },
  ],
  beforeWrite: beforeSegmentWrite,
  afterWrite: afterSegmentWrite,
};
