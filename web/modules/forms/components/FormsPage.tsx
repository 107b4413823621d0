import { Alert, Anchor, Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Icon } from '../../../ui/Icon';
import { AnchorLink, ButtonLink } from '../../../ui/links';
import { formsQuery } from '../api/forms.api';

/** /forms: the workspace's web forms with their hosted page and submission count. */
export function FormsPage() {
  const query = useQuery(formsQuery);
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          Forms
        </Title>
        <ButtonLink to="/forms/new" leftSection={<Icon name="plus" size={16} />}>
          New form
        </ButtonLink>
      </Group>
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {query.data?.length === 0 && (
        <Text c="dimmed">No forms yet. Build one to turn your website’s visitors into leads.</Text>
      )}
      {query.data && query.data.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Fills</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Submissions</Table.Th>
                <Table.Th>Hosted page</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.map((f) => (
                <Table.Tr key={f.id} data-testid="form-row">
                  <Table.Td>
                    <AnchorLink to="/forms/$id" params={{ id: f.id }}>
                      {f.name}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>{f.object}</Table.Td>
                  <Table.Td>
                    <Badge variant="light">v{f.version}</Badge>
                  </Table.Td>
                  <Table.Td>{f.submissions}</Table.Td>
                  <Table.Td>
                    <Anchor href={f.url} target="_blank" rel="noreferrer">
                      Open
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
