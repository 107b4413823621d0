import { Button, CloseButton, Group, Paper, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FilterNode } from '../../../../common/filter';
import { ConfirmModal } from '../../../ui/ConfirmModal';
import { Icon } from '../../../ui/Icon';
import { can, type ObjectMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { addMembers, canAddToSegment } from '../../segments/api/segments.api';
import { AddToSegmentModal } from '../../segments/components/AddToSegmentModal';
import { type BulkBody, bulkRecords, describeBulk } from '../api/bulk.api';
import type { Selection } from '../hooks/useSelection';
import { BulkEditModal } from './BulkEditModal';
import { BulkTagModal } from './BulkTagModal';

type Dialog = 'edit' | 'addTags' | 'removeTags' | 'trash' | 'segment' | null;

interface Props {
  meta: ObjectMeta;
  selection: Selection;
  /** The list's filter, for "select all matching". */
  filter?: FilterNode;
  /** More records match than are loaded (then "select all matching" is offered). */
  hasMore: boolean;
  /** How many rows are loaded. */
  loaded: number;
}

// "Every record" as a filter, for "select all" on an unfiltered list.
const EVERYTHING: FilterNode = { field: 'id', op: 'isNotEmpty' };

/** What to do with the ticked records: set a field, add or remove tags, add to a segment, or move them to the trash. */
export function BulkActionBar({ meta, selection, filter, hasMore, loaded }: Props) {
  const queryClient = useQueryClient();
  const toSegment = canAddToSegment(meta, useObjects());
  const [dialog, setDialog] = useState<Dialog>(null);
  const [result, setResult] = useState<string | null>(null);
  const count = selection.ids.size;
  const label = selection.matching ? 'all matching' : String(count);
  const hasTags = meta.fields.some((f) => f.name === 'tags' && !f.readOnly);

  const run = async (body: Omit<BulkBody, 'ids'>) => {
    const res = await bulkRecords(
      meta.name,
      selection.matching ? { ...body, filter: filter ?? EVERYTHING } : { ...body, ids: [...selection.ids] },
    );
    setResult(describeBulk(res));
    // Records that were changed leave the selection; failures stay ticked to retry.
    selection.remove(res.data.filter((r) => r.status !== 'error').map((r) => r.id));
    await queryClient.invalidateQueries({ queryKey: ['records', meta.name] });
  };

  const addToSegment = async (segment: { id: string; name: string }) => {
    const res = await addMembers(
      segment.id,
      selection.matching ? { filter: filter ?? EVERYTHING } : { ids: [...selection.ids] },
    );
    setResult(`Added ${res.changed} to “${segment.name}”${res.unchanged ? ` (${res.unchanged} already in it)` : ''}.`);
    selection.clear();
    await queryClient.invalidateQueries({ queryKey: ['segments'] });
  };

  if (count === 0 && !result) return null;
  return (
    <Paper withBorder radius="md" px="sm" py={4} data-testid="bulk-bar">
      <Group gap="xs" justify="space-between" wrap="wrap">
        <Group gap="xs" wrap="wrap">
          {count > 0 && (
            <Text size="sm" fw={600} data-testid="bulk-count">
              {selection.matching ? `All ${meta.labelPlural.toLowerCase()} matching` : `${count} selected`}
            </Text>
          )}
          {count > 0 && count === loaded && hasMore && !selection.matching && (
            <Button variant="subtle" h={40} px="xs" onClick={selection.selectMatching}>
              Select all matching (up to 1,000)
            </Button>
          )}
          {count > 0 && can(meta, 'update') && (
            <>
              <Button variant="default" h={40} px="sm" onClick={() => setDialog('edit')}>
                Edit field
              </Button>
              {hasTags && (
                <>
                  <Button variant="default" h={40} px="sm" onClick={() => setDialog('addTags')}>
                    Add tags
                  </Button>
                  <Button variant="default" h={40} px="sm" onClick={() => setDialog('removeTags')}>
                    Remove tags
                  </Button>
                </>
              )}
            </>
          )}
          {count > 0 && toSegment && (
            <Button variant="default" h={40} px="sm" onClick={() => setDialog('segment')}>
              Add to segment
            </Button>
          )}
          {count > 0 && can(meta, 'delete') && (
            <Button
              variant="light"
              color="red"
              h={40}
              px="sm"
              leftSection={<Icon name="trash" size={16} />}
              onClick={() => setDialog('trash')}
            >
              Delete
            </Button>
          )}
          {result && (
            <Text size="sm" c="dimmed" role="status" data-testid="bulk-result">
              {result}
            </Text>
          )}
        </Group>
        <CloseButton
          size={40}
          aria-label="Clear selection"
          onClick={() => {
            selection.clear();
            setResult(null);
          }}
        />
      </Group>
      {dialog === 'edit' && (
        <BulkEditModal
          meta={meta}
          count={label}
          onClose={() => setDialog(null)}
          onSubmit={(values) => run({ action: 'update', values })}
        />
      )}
      {(dialog === 'addTags' || dialog === 'removeTags') && (
        <BulkTagModal
          mode={dialog}
          count={label}
          onClose={() => setDialog(null)}
          onSubmit={(tags) => run({ action: dialog, tags })}
        />
      )}
      {dialog === 'segment' && (
        <AddToSegmentModal meta={meta} count={label} onClose={() => setDialog(null)} onSubmit={addToSegment} />
      )}
      {dialog === 'trash' && (
        <ConfirmModal
          title={`Delete ${label} ${count === 1 && !selection.matching ? meta.singular : meta.labelPlural.toLowerCase()}?`}
          message="They move to the trash, from where they can be restored."
          confirmLabel={`Delete ${label}`}
          onClose={() => setDialog(null)}
          onConfirm={() => run({ action: 'trash' })}
        />
      )}
    </Paper>
  );
}
