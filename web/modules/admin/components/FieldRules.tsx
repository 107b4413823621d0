import { Badge, Group, SegmentedControl, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { ObjectMeta } from '../../objects/api/objects.api';
import type { FieldRule, RolePermissions } from '../api/admin.api';
import { fieldRule, setFieldRule } from '../utils/permissions';
import { ScrollBox } from './ScrollBox';

const RULES = [
  { value: 'visible', label: 'Visible' },
  { value: 'readOnly', label: 'Read-only' },
  { value: 'hidden', label: 'Hidden' },
];

/** Per field of one object (custom fields included): visible, read-only or hidden for the role. */
export function FieldRules({
  objects,
  value,
  onChange,
}: {
  objects: ObjectMeta[];
  value: RolePermissions;
  onChange: (next: RolePermissions) => void;
}) {
  const [object, setObject] = useState(objects[0]?.name ?? '');
  const meta = objects.find((o) => o.name === object);
  return (
    <Stack gap="sm">
      <Select
        label="Object"
        data={objects.map((o) => ({ value: o.name, label: o.labelPlural }))}
        value={object}
        onChange={(v) => v && setObject(v)}
        allowDeselect={false}
        size="md"
        maw={320}
      />
      {meta && (
        <ScrollBox minWidth={340}>
          <Table verticalSpacing={4} data-testid="field-rules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Field</Table.Th>
                <Table.Th>For this role</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {meta.fields
                .filter((f) => f.name !== 'id' && f.name !== 'version')
                .map((f) => (
                  <Table.Tr key={f.name} data-field={f.name}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm">{f.label}</Text>
                        {f.custom && (
                          <Badge size="xs" variant="light" color="grape">
                            custom
                          </Badge>
                        )}
                      </Group>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {f.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <SegmentedControl
                        aria-label={`${f.label} for this role`}
                        data={RULES}
                        value={fieldRule(value, meta.name, f.name) ?? 'visible'}
                        onChange={(v) =>
                          onChange(
                            setFieldRule(value, meta.name, f.name, v === 'visible' ? undefined : (v as FieldRule)),
                          )
                        }
                        size="sm"
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        </ScrollBox>
      )}
    </Stack>
  );
}
