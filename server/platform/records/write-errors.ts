import { isPgDataException, isPgError } from '../db/pg-errors';
import { AppError } from '../http/errors';
import { storageColumns } from './field-types';
import type { ObjectSchema } from './object-schema';

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  column?: string;
  message?: string;
}

function fieldOfColumn(schema: ObjectSchema, column: string | undefined): string | undefined {
  if (!column) return undefined;
  if (column === 'owner_id') return 'ownerId';
  for (const f of schema.fields()) {
    if (!f.custom && storageColumns(f.def).some((c) => c.column === column)) return f.def.name;
  }
  return undefined;
}

/**
 * Turns a PostgreSQL constraint error from a record write into a 4xx naming the
 * field (unique → 409, foreign key / not null / bad value → 422); anything else
 * is rethrown unchanged.
 */
export function mapWriteError(err: unknown, schema: ObjectSchema, pathPrefix = ''): never {
  const e = err as PgError;
  if (isPgError(err, 'uniqueViolation')) {
    const col = e.constraint?.replace(`${schema.def.table}_`, '').replace(/_key$/, '');
    const field = fieldOfColumn(schema, col) ?? 'id';
    throw new AppError('already_exists', `Another ${schema.def.singular} already has this ${field}`, {
      errors: [{ path: `${pathPrefix}${field}`, message: 'is already used by another record' }],
    });
  }
  if (isPgError(err, 'foreignKeyViolation')) {
    // Row-level security hides the key values from the error detail; the constraint
    // name (<table>_workspace_id_<column>_fkey) still names the column.
    const m = /_workspace_id_(\w+)_fkey$/.exec(e.constraint ?? '');
    const field = fieldOfColumn(schema, m?.[1]) ?? 'id';
    const message =
      field === 'ownerId' ? 'is not a member of this workspace' : 'points to a record that does not exist';
    throw new AppError('validation_failed', `${field} ${message}`, {
      errors: [{ path: `${pathPrefix}${field}`, message }],
    });
  }
  if (isPgError(err, 'notNullViolation')) {
    const field = fieldOfColumn(schema, e.column) ?? e.column ?? 'body';
    throw new AppError('validation_failed', `${field} is required`, {
      errors: [{ path: `${pathPrefix}${field}`, message: 'is required' }],
    });
  }
  if (isPgDataException(err)) {
    // A data exception (out of range, malformed, unstorable character): the client's value.
    throw new AppError('validation_failed', 'A value is out of range or cannot be stored', {
      errors: [
        { path: pathPrefix.replace(/\.$/, '') || 'body', message: 'a value is out of range or cannot be stored' },
      ],
    });
  }
  throw err;
}
