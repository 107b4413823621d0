import { Alert, Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Icon } from '../../../ui/Icon';
import { AnchorLink, ButtonLink } from '../../../ui/links';
import { sequencesQuery } from '../api/sequences.api';

/** /marketing/sequences: every nurture sequence, who it enrols, and how many are in it. */
export function SequencesPage() {
  const query = useQuery(sequencesQuery);
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          Nurture sequences
        </Title>
        <ButtonLink to="/marketing/sequences/new" leftSection={<Icon name="plus" size={16} />}>
          New sequence
        </ButtonLink>
      </Group>
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {query.data?.length === 0 && (
        <Text c="dimmed">No sequences yet. Welcome new leads with a series of emails: create one.</Text>
      )}
      {query.data && query.data.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Enrols</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>In it</Table.Th>
                <Table.Th>Finished</Table.Th>
                <Table.Th>Left early</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.map((s) => (
                <Table.Tr key={s.id} data-testid="sequence-row">
                  <Table.Td>
                    <AnchorLink to="/marketing/sequences/$id" params={{ id: s.id }}>
                      {s.name}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>
                    {[
                      s.enrolment.newRecords ? `every new ${s.object === 'leads' ? 'lead' : 'contact'}` : null,
                      s.enrolment.segmentId ? 'a segment’s entrants' : null,
                    ]
                      .filter(Boolean)
                      .join(', ') || 'by hand or by workflow'}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={s.active ? 'green' : 'gray'}>{s.active ? 'on' : 'off'}</Badge>
                  </Table.Td>
                  <Table.Td>{s.counts.active}</Table.Td>
                  <Table.Td>{s.counts.completed}</Table.Td>
                  <Table.Td>{s.counts.exited}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
