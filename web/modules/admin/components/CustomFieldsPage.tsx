import { Badge, Button, Group, Modal, Select, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Icon } from '../../../ui/Icon';
import { type FieldMeta, objectsQuery } from '../../objects/api/objects.api';
import type { AdminPageProps } from '../admin-pages';
import { admin } from '../api/admin.api';
import { useAdminChange } from '../hooks/useAdminChange';
import { typeLabel } from '../utils/field-types';
import { AdminEmpty, AdminLoadError, AdminLoading } from './AdminState';
import { ConfirmButton } from './ConfirmButton';
import { CustomFieldForm } from './CustomFieldForm';
import { ScrollBox } from './ScrollBox';

/** /admin/fields/<object>: the object's custom fields; add, edit and remove them. */
export function CustomFieldsPage({ rest }: AdminPageProps) {
  const objects = useQuery(objectsQuery);
  const [chosen, setChosen] = useState<string | null>(rest[0] ?? null);
  const [editing, setEditing] = useState<FieldMeta | 'new' | null>(null);
  const remove = useAdminChange((v: { object: string; name: string }) => admin.deleteField(v.object, v.name));

  if (objects.isPending) return <AdminLoading label="Loading objects" />;
  if (objects.isError) return <AdminLoadError error={objects.error} onRetry={() => objects.refetch()} what="objects" />;
  const meta = objects.data.find((o) => o.name === chosen) ?? objects.data[0];
  if (!meta) return <AdminEmpty>No objects.</AdminEmpty>;
  const custom = meta.fields.filter((f) => f.custom);

  return (
    <Stack gap="md">
      <Title order={2} fz="h3">
        Custom fields
      </Title>
      <Group justify="space-between" align="flex-end">
        <Select
          label="Object"
          data={objects.data.map((o) => ({ value: o.name, label: o.labelPlural }))}
          value={meta.name}
          onChange={setChosen}
          allowDeselect={false}
          size="md"
          w={260}
        />
        <Button h={42} leftSection={<Icon name="plus" size={16} />} onClick={() => setEditing('new')}>
          Add field
        </Button>
      </Group>
      {custom.length === 0 ? (
        <AdminEmpty testId="fields-empty">
          {meta.labelPlural} have no custom fields yet. Add one: it appears in forms, lists, filters and the API.
        </AdminEmpty>
      ) : (
        <ScrollBox minWidth={520}>
          <Table verticalSpacing="xs" data-testid="custom-fields">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Field</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {custom.map((f) => (
                <Table.Tr key={f.name} data-field={f.name}>
                  <Table.Td>
                    <Group gap={6}>
                      <Text size="sm" fw={500}>
                        {f.label}
                      </Text>
                      {f.required && (
                        <Badge size="xs" variant="light">
                          required
                        </Badge>
                      )}
                      {f.sensitive && (
                        <Badge size="xs" variant="light" color="grape">
                          sensitive
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {f.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {typeLabel(f.type)}
                      {f.relation &&
                        ` → ${objects.data.find((o) => o.name === f.relation?.object)?.labelPlural ?? f.relation.object}`}
                      {f.options && ` (${f.options.length} options)`}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button variant="subtle" h={40} onClick={() => setEditing(f)} aria-label={`Edit ${f.label}`}>
                        Edit
                      </Button>
                      <ConfirmButton
                        label="Remove"
                        aria-label={`Remove ${f.label}`}
                        title={`Remove ${f.label}?`}
                        message={`The field and its values on every ${meta.singular} are deleted for good.`}
                        confirmLabel="Remove field"
                        onConfirm={() => remove.mutateAsync({ object: meta.name, name: f.name })}
                      />
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollBox>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? `New field on ${meta.labelPlural.toLowerCase()}` : `Edit ${editing?.label ?? ''}`}
        size="lg"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {editing !== null && (
          <CustomFieldForm
            object={meta}
            objects={objects.data}
            field={editing === 'new' ? undefined : editing}
            onDone={() => setEditing(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}
