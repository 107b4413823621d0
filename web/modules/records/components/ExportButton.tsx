import { Button } from '@mantine/core';
import type { FilterNode } from '../../../../common/filter';
import { withQuery } from '../../../lib/http';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';

interface Props {
  meta: ObjectMeta;
  filter?: FilterNode;
  sort?: string;
  columns: FieldMeta[];
}

/** Downloads the current view (filter, sort, columns) as CSV; the server checks the export permission and audits it. */
export function ExportButton({ meta, filter, sort, columns }: Props) {
  const href = withQuery(`/api/v1/${encodeURIComponent(meta.name)}/export`, {
    filter: filter ? JSON.stringify(filter) : undefined,
    sort,
    fields: columns.map((c) => c.name).join(','),
  });
  return (
    <Button component="a" href={href} download={`${meta.name}.csv`} variant="default" h={40} visibleFrom="sm">
      Export CSV
    </Button>
  );
}
