import { Button, Checkbox, Select, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ObjectMeta } from '../../objects/api/objects.api';
import type { RolePermissions, Scope } from '../api/admin.api';
import { ACTIONS, ALL_OBJECTS, effective, followDefault, overrides, setAccess } from '../utils/permissions';
import { ScrollBox } from './ScrollBox';

const SCOPES = [
  { value: 'own', label: 'Own' },
  { value: 'team', label: 'Team' },
  { value: 'all', label: 'All' },
];
const ACTION_LABEL = { create: 'Create', read: 'Read', update: 'Update', delete: 'Delete', export: 'Export' };

/** Create / read / update / delete / export and record scope, for "*" and each object. */
export function ObjectAccessTable({
  objects,
  value,
  onChange,
}: {
  objects: ObjectMeta[];
  value: RolePermissions;
  onChange: (next: RolePermissions) => void;
}) {
  const rows = [
    { name: ALL_OBJECTS, label: 'Every object' },
    ...objects.map((o) => ({ name: o.name, label: o.labelPlural })),
  ];
  return (
    <ScrollBox minWidth={640}>
      <Table verticalSpacing={4} data-testid="object-access">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Object</Table.Th>
            {ACTIONS.map((a) => (
              <Table.Th key={a} ta="center">
                {ACTION_LABEL[a]}
              </Table.Th>
            ))}
            <Table.Th>Scope</Table.Th>
            <Table.Th>
              <VisuallyHidden>Default</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => {
            const eff = effective(value, row.name);
            const own = row.name !== ALL_OBJECTS && overrides(value, row.name);
            return (
              <Table.Tr key={row.name} data-object={row.name}>
                <Table.Td>
                  <Text size="sm" fw={row.name === ALL_OBJECTS ? 600 : 400}>
                    {row.label}
                  </Text>
                  {value.objects[row.name]?.where !== undefined && (
                    <Text size="xs" c="dimmed">
                      Also limited by a row rule
                    </Text>
                  )}
                </Table.Td>
                {ACTIONS.map((a) => (
                  <Table.Td key={a} ta="center">
                    <Checkbox
                      aria-label={`${ACTION_LABEL[a]} ${row.label}`}
                      checked={eff[a]}
                      onChange={(e) => onChange(setAccess(value, row.name, a, e.currentTarget.checked))}
                      styles={{ body: { justifyContent: 'center' } }}
                    />
                  </Table.Td>
                ))}
                <Table.Td miw={110}>
                  <Select
                    aria-label={`Scope of ${row.label}`}
                    data={SCOPES}
                    value={eff.scope}
                    allowDeselect={false}
                    onChange={(s) => s && onChange(setAccess(value, row.name, 'scope', s as Scope))}
                  />
                </Table.Td>
                <Table.Td>
                  {own && (
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      h={40}
                      onClick={() => onChange(followDefault(value, row.name))}
                      aria-label={`Use default for ${row.label}`}
                      title="Follow “Every object” again"
                    >
                      Use default
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </ScrollBox>
  );
}
