import { Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getVersions, knowledgeKeys } from '../api/knowledge.api';

/** An article's saved versions, newest first, the published one marked. */
export function ArticleVersions({ id }: { id: string }) {
  const versions = useQuery({ queryKey: knowledgeKeys.versions(id), queryFn: ({ signal }) => getVersions(id, signal) });
  return (
    <Stack gap="xs" component="section" aria-labelledby="article-versions">
      <Title order={2} fz="h4" id="article-versions">
        Version history
      </Title>
      {versions.isError && <Text c="red">The history could not be loaded.</Text>}
      <Table aria-labelledby="article-versions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Title</Table.Th>
            <Table.Th>Saved</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(versions.data ?? []).map((v) => (
            <Table.Tr key={v.version}>
              <Table.Td>
                <Group gap={4}>
                  v{v.version}
                  {v.published && (
                    <Badge size="xs" color="green" variant="dot" tt="none">
                      Published
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{v.title}</Table.Td>
              <Table.Td>{new Date(v.savedAt).toLocaleString()}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
