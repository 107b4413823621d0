import { Alert, Button, Group, Modal, Radio, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ApiError } from '../../../lib/http';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { recordKeys } from '../../records/api/record-keys';
import { getRecord, type RecordData } from '../../records/api/records.api';
import { FieldValue } from '../../records/components/FieldValue';
import { RecordPicker } from '../../records/components/RecordPicker';
import { editableFields, recordTitle } from '../../records/utils/fields';
import { mergeRecords, salesKeys } from '../api/sales.api';

interface Props {
  meta: ObjectMeta;
  record: RecordData;
  /** Preselected other record (from the duplicates list). */
  otherId?: string | null;
  /** Shown above the comparison when the match is not a strong one. */
  caution?: string;
  opened: boolean;
  onClose: () => void;
}

/** Field types whose values of both records the merge keeps (the other emails and phones). */
const KEPT_TYPES = new Set(['emails', 'phones']);

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Merges another record into this one: pick it, choose per differing field which value
 * survives (this record's by default, the other's where this one is empty), merge.
 * The other record goes to the trash; everything pointing at it moves here.
 */
export function MergeDialog({ meta, record, otherId: preset, caution, opened, onClose }: Props) {
  const queryClient = useQueryClient();
  const [otherId, setOtherId] = useState<string | null>(preset ?? null);
  const [picks, setPicks] = useState<Record<string, 'this' | 'other'>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const other = useQuery({
    queryKey: [...recordKeys.one(meta.name, otherId ?? ''), meta.includes],
    queryFn: ({ signal }) => getRecord(meta.name, otherId ?? '', meta.includes, signal),
    enabled: !!otherId && otherId !== record.id,
  });
  const diffs = useMemo(() => {
    const o = other.data?.data;
    if (!o) return [];
    // Tags are united and every email and phone is kept by the server: nothing to choose there.
    return editableFields(meta).filter(
      (f) => f.name !== 'tags' && !KEPT_TYPES.has(f.type) && !same(record[f.name], o[f.name]),
    );
  }, [meta, record, other.data]);
  const choice = (field: string) => {
    const p = picks[field];
    if (p) return p;
    const mine = record[field];
    return mine === null || mine === undefined || mine === '' ? 'other' : 'this';
  };

  const merge = async () => {
    const o = other.data?.data;
    if (!o) return;
    setBusy(true);
    setError(null);
    const values = Object.fromEntries(
      diffs.filter((f) => choice(f.name) === 'other').map((f) => [f.name, o[f.name] ?? null]),
    );
    try {
      await mergeRecords(meta.name, record.id, o.id, values);
      await queryClient.invalidateQueries({ queryKey: recordKeys.all(meta.name) });
      await queryClient.invalidateQueries({ queryKey: salesKeys.all });
      onClose();
    } catch (err) {
      setError(
        err instanceof ApiError
          ? [err.message, ...err.errors.map((e) => `${e.path}: ${e.message}`)].join(' — ')
          : 'The records could not be merged.',
      );
    } finally {
      setBusy(false);
    }
  };

  const thisTitle = recordTitle(meta, record);
  const otherTitle = other.data ? recordTitle(meta, other.data.data) : '';
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title={`Merge into ${thisTitle}`}
      size="xl"
      centered
    >
      <Stack gap="md">
        <RecordPicker
          target={meta}
          label={`The ${meta.singular} to merge into this one (it goes to the trash)`}
          value={otherId}
          onChange={(id) => {
            setOtherId(id);
            setPicks({});
          }}
          error={otherId === record.id ? `Choose another ${meta.singular}` : undefined}
        />
        {caution && otherId === preset && (
          <Alert color="yellow" data-testid="merge-caution">
            {caution}
          </Alert>
        )}
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {other.isError && (
          <Alert color="red" role="alert">
            {other.error.message}
          </Alert>
        )}
        {other.data &&
          (diffs.length === 0 ? (
            <Text size="sm">Both records hold the same values; tags are united.</Text>
          ) : (
            <ScrollArea type="auto">
              <Table verticalSpacing="xs" miw={520} data-testid="merge-fields">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Field</Table.Th>
                    <Table.Th>{thisTitle} (keeps)</Table.Th>
                    <Table.Th>{otherTitle}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {diffs.map((f) => {
                    const pick = (v: 'this' | 'other') => () => setPicks((p) => ({ ...p, [f.name]: v }));
                    return (
                      <Table.Tr key={f.name}>
                        <Table.Td fw={600}>{f.label}</Table.Td>
                        <Table.Td>
                          <Radio
                            name={`merge-${f.name}`}
                            checked={choice(f.name) === 'this'}
                            onChange={pick('this')}
                            label={<FieldValue field={f} record={record} />}
                          />
                        </Table.Td>
                        <Table.Td>
                          <Radio
                            name={`merge-${f.name}`}
                            checked={choice(f.name) === 'other'}
                            onChange={pick('other')}
                            label={<FieldValue field={f} record={other.data.data} />}
                          />
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          ))}
        {other.data && (
          <Text size="sm" c="dimmed">
            Every email and phone of both records is kept: the ones not chosen as the main one become other emails and
            phones.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} h={40}>
            Cancel
          </Button>
          <Button onClick={merge} loading={busy} disabled={!other.data || otherId === record.id} h={40}>
            Merge
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
