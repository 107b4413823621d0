import { Alert, Button, Group, Loader, Modal, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FilterNode } from '../../../../common/filter';
import { ConfirmModal } from '../../../ui/ConfirmModal';
import { myPermissionsQuery } from '../../admin/api/admin.api';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';
import { recordKeys } from '../../records/api/record-keys';
import {
  createRecord,
  listRecords,
  type RecordData,
  trashRecord,
  updateRecord,
  type VersionedRecord,
} from '../../records/api/records.api';
import { RecordForm } from '../../records/components/RecordForm';
import { formatValue } from '../../records/utils/format';

const OBJECT = 'campaign_costs';
const etagOf = (r: RecordData) => `"${r.version}"`;

interface Props {
  /** Only this campaign's entries, and new ones are for it (the campaign page). */
  campaignId?: string;
  /** Only entries dated in [from, to] (dates, inclusive; the acquisition cost's period). */
  from?: string;
  to?: string;
  /** After an entry is added, changed or deleted (figures built on them refresh). */
  onChanged?: () => void;
}

/**
 * Cost entries (`/api/v1/campaign_costs`, a record object): listed newest first, added,
 * edited and deleted with the object's own form, which shows the API's messages beside
 * the field they concern. Who may change them is the role's permission on the object;
 * everyone else reads.
 */
export function CostEntries({ campaignId, from, to, onChanged }: Props) {
  const meta = useObjectMeta(OBJECT);
  const perms = useQuery(myPermissionsQuery);
  const client = useQueryClient();
  const may = perms.data?.objects[OBJECT];
  const filters: FilterNode[] = [
    ...(campaignId ? [{ field: 'campaignId', op: 'eq', value: campaignId } as FilterNode] : []),
    ...(from ? [{ field: 'incurredOn', op: 'gte', value: from } as FilterNode] : []),
    ...(to ? [{ field: 'incurredOn', op: 'lte', value: to } as FilterNode] : []),
  ];
  const filter: FilterNode | undefined = filters.length ? { and: filters } : undefined;
  const entries = useQuery({
    queryKey: [...recordKeys.all(OBJECT), 'entries', campaignId ?? null, from ?? null, to ?? null],
    queryFn: ({ signal }) =>
      listRecords(OBJECT, { filter, sort: '-incurredOn', limit: 200, include: ['campaign'], count: true }, signal),
  });
  const [editing, setEditing] = useState<VersionedRecord | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RecordData | null>(null);

  const changed = async () => {
    await client.invalidateQueries({ queryKey: recordKeys.all(OBJECT) });
    onChanged?.();
  };

  if (!meta) return null;
  if (entries.error) return <Alert color="red">{entries.error.message}</Alert>;
  const rows = entries.data?.data ?? [];
  const total = entries.data?.total;
  return (
    <Stack gap="sm" data-testid="cost-entries">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {entries.data
            ? `${total ?? rows.length} cost ${(total ?? rows.length) === 1 ? 'entry' : 'entries'}${rows.length < (total ?? 0) ? ` (the newest ${rows.length} shown)` : ''}`
            : ''}
        </Text>
        {may?.create && (
          <Button onClick={() => setEditing('new')} h={40}>
            Add a cost entry
          </Button>
        )}
      </Group>
      {!entries.data ? (
        <Loader size="sm" />
      ) : rows.length === 0 ? (
        <Text c="dimmed" size="sm">
          No cost entry {campaignId ? 'for this campaign' : 'in this period'} yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
          <Table striped aria-label="Cost entries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Date</Table.Th>
                {!campaignId && <Table.Th>Campaign</Table.Th>}
                <Table.Th>Category</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
                <Table.Th>Description</Table.Th>
                {(may?.update || may?.delete) && (
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.id} data-testid="cost-entry">
                  <Table.Td>{cell(meta, 'incurredOn', r)}</Table.Td>
                  {!campaignId && <Table.Td>{campaignName(r)}</Table.Td>}
                  <Table.Td>{cell(meta, 'category', r)}</Table.Td>
                  <Table.Td ta="right">{cell(meta, 'amount', r)}</Table.Td>
                  <Table.Td>{cell(meta, 'description', r)}</Table.Td>
                  {(may?.update || may?.delete) && (
                    <Table.Td>
                      <Group gap={4} wrap="nowrap" justify="flex-end">
                        {may?.update && (
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            aria-label={`Edit the cost entry of ${cell(meta, 'incurredOn', r)}`}
                            onClick={() => setEditing({ data: r, etag: etagOf(r) })}
                          >
                            Edit
                          </Button>
                        )}
                        {may?.delete && (
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="red"
                            aria-label={`Delete the cost entry of ${cell(meta, 'incurredOn', r)}`}
                            onClick={() => setDeleting(r)}
                          >
                            Delete
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'New cost entry' : 'Edit cost entry'}
        size="lg"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {editing !== null && (
          <RecordForm
            meta={meta}
            record={editing === 'new' ? undefined : editing}
            preset={editing === 'new' ? { category: 'marketing', ...(campaignId ? { campaignId } : {}) } : undefined}
            save={(values, etag) =>
              editing === 'new'
                ? createRecord(OBJECT, values)
                : updateRecord(OBJECT, editing.data.id as string, values, etag)
            }
            onSaved={async () => {
              setEditing(null);
              await changed();
            }}
            onCancel={() => setEditing(null)}
            onReload={() => {
              setEditing(null);
              void changed();
            }}
          />
        )}
      </Modal>
      {deleting && (
        <ConfirmModal
          title="Delete this cost entry?"
          message={`${cell(meta, 'incurredOn', deleting)}: ${cell(meta, 'amount', deleting)}. It goes to the trash and no longer counts in the cost.`}
          confirmLabel="Delete"
          onConfirm={async () => {
            await trashRecord(OBJECT, deleting.id as string, etagOf(deleting));
            await changed();
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </Stack>
  );
}

function cell(meta: ObjectMeta, name: string, r: RecordData): string {
  const f = meta.fields.find((x) => x.name === name);
  return f ? formatValue(f, r[name]) || '—' : '';
}

function campaignName(r: RecordData): string {
  const c = r.campaign as { name?: unknown } | null | undefined;
  return c && typeof c === 'object' && typeof c.name === 'string' ? c.name : r.campaignId ? '—' : 'None (general)';
}
