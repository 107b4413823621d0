import type { RawBuilder } from 'kysely';
import type { FilterOperator } from '../../../common/filter';

type Sql = RawBuilder<unknown>;

/**
 * A condition of the filter tree that is not a field: something a record did ("visited a
 * page matching /pricing in the last 30 days"). It is a leaf like any other,
 * `{ field: "@visited", op, value }`, so it combines with and / or / not and goes
 * wherever filters go (lists, segments, views, scoring fit rules). Names start with `@`,
 * which no field name can. A module registers its conditions in its registration
 * (`filterConditions`); the record engine compiles them (query.ts), the module only
 * supplies the SQL for one record at `alias` (a row of the object's table, with
 * `workspace_id` and `id`). The condition must read only the module's own tables, scoped
 * to `alias`'s workspace and record: the engine has already limited the rows to what the
 * caller may see.
 */
export interface FilterCondition {
  /** `@visited`: the leaf's `field`. */
  name: string;
  label: string;
  /** The objects whose records can meet it. */
  objects: readonly string[];
  /** The operators it accepts, the first being the usual one. */
  ops: readonly FilterOperator[];
  /** A line for the docs and the metadata: what `value` holds. */
  describe: string;
  /**
   * The condition as SQL for the record at `alias`. Throws FilterValueError on a bad
   * `value` (the engine reports it at `<path>.value<.sub>`).
   */
  compile(args: { object: string; alias: string; op: FilterOperator; value: unknown }): Sql;
}

/** A condition's value is wrong: `sub` is the place inside `value` ("days"), `message` says why. */
export class FilterValueError extends Error {
  constructor(
    readonly sub: string | null,
    message: string,
  ) {
    super(message);
  }
}

const CONDITIONS = new Map<string, FilterCondition>();

/** Registers a condition (idempotent by name: tests start several runtimes). */
export function registerFilterCondition(c: FilterCondition): void {
  if (!/^@[a-z][a-zA-Z0-9]*$/.test(c.name)) throw new Error(`filter condition ${c.name}: names are @camelCase`);
  CONDITIONS.set(c.name, c);
}

/** The condition named `name` (`@visited`), if any module registered it. */
export function filterCondition(name: string): FilterCondition | undefined {
  return CONDITIONS.get(name);
}

/** The conditions records of `object` can meet. */
export function filterConditions(object: string): FilterCondition[] {
  return [...CONDITIONS.values()].filter((c) => c.objects.includes(object));
}
