import { Group, Kbd, Modal, Stack, Table, Text, Title } from '@mantine/core';
import type { ObjectMeta } from '../../objects/api/objects.api';

interface Row {
  keys: string[][];
  what: string;
}

const Keys = ({ keys }: { keys: string[][] }) => (
  <Group gap={6} wrap="nowrap">
    {keys.map((combo, i) => (
      <Group key={combo.join('+')} gap={4} wrap="nowrap">
        {i > 0 && (
          <Text span size="xs" c="dimmed">
            or
          </Text>
        )}
        {combo.map((k, j) => (
          <Group key={k} gap={4} wrap="nowrap">
            {j > 0 && (
              <Text span size="xs" c="dimmed">
                then
              </Text>
            )}
            <Kbd>{k}</Kbd>
          </Group>
        ))}
      </Group>
    ))}
  </Group>
);

function Section({ title, rows }: { title: string; rows: Row[] }) {
  return (
    <section aria-label={title}>
      <Title order={3} fz="sm" mb={4}>
        {title}
      </Title>
      <Table verticalSpacing={4} withRowBorders={false}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="45%">Keys</Table.Th>
            <Table.Th>Does</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.what}>
              <Table.Td>
                <Keys keys={r.keys} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{r.what}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </section>
  );
}

/** The `?` dialog: every keyboard shortcut, the object letters taken from the metadata. */
export function ShortcutsHelp(props: {
  opened: boolean;
  onClose: () => void;
  goKeys: Map<string, string>;
  objects: ObjectMeta[];
}) {
  const labelOf = (name: string) => props.objects.find((o) => o.name === name)?.labelPlural ?? name;
  const anywhere: Row[] = [
    { keys: [['Ctrl + K'], ['⌘ + K']], what: 'Search everything' },
    { keys: [['/']], what: 'Search (on a list: filter it)' },
    { keys: [['g', 'h']], what: 'Go home' },
    ...[...props.goKeys].map(([key, object]) => ({ keys: [['g', key]], what: `Go to ${labelOf(object)}` })),
    { keys: [['?']], what: 'Show these shortcuts' },
    { keys: [['Esc']], what: 'Close a dialog or menu' },
  ];
  const lists: Row[] = [
    { keys: [['j']], what: 'Next record' },
    { keys: [['k']], what: 'Previous record' },
    { keys: [['Enter']], what: 'Open the selected record' },
    { keys: [['n']], what: 'New record' },
  ];
  const records: Row[] = [{ keys: [['e']], what: 'Edit the record' }];
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title="Keyboard shortcuts"
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          Shortcuts work anywhere except while you type in a field.
        </Text>
        <Section title="Anywhere" rows={anywhere} />
        <Section title="On a list" rows={lists} />
        <Section title="On a record" rows={records} />
      </Stack>
    </Modal>
  );
}
