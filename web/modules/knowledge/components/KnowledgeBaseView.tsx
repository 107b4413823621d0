import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink, ButtonLink } from '../../../ui/links';
import { can } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { getServiceSettings, knowledgeKeys, listArticles } from '../api/knowledge.api';

/** /knowledge: the knowledge base's articles with their state, a way to write one, and the public help centre. */
export function KnowledgeBaseView() {
  const objects = useObjects();
  const articlesMeta = objects.find((o) => o.name === 'articles');
  const settings = useQuery({ queryKey: knowledgeKeys.settings, queryFn: ({ signal }) => getServiceSettings(signal) });
  const articles = useQuery({ queryKey: knowledgeKeys.articles, queryFn: ({ signal }) => listArticles(signal) });
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} fz="h2">
          Knowledge base
        </Title>
        <Group gap="sm">
          {settings.data?.helpCentreEnabled && (
            <Button component="a" variant="default" href={settings.data.helpCentreUrl} target="_blank" rel="noopener">
              Open the help centre
            </Button>
          )}
          {articlesMeta && can(articlesMeta, 'create') && (
            <ButtonLink to="/knowledge/$id" params={{ id: 'new' }}>
              New article
            </ButtonLink>
          )}
        </Group>
      </Group>
      {settings.data && (
        <Text size="sm">
          Public help centre:{' '}
          <Anchor href={settings.data.helpCentreUrl} target="_blank" rel="noopener">
            {settings.data.helpCentreUrl}
          </Anchor>
          {!settings.data.helpCentreEnabled && ' (switched off)'}
        </Text>
      )}
      <Group gap="sm">
        <AnchorLink to="/$object" params={{ object: 'articles' }} size="sm">
          All articles as a list
        </AnchorLink>
        <AnchorLink to="/$object" params={{ object: 'article_categories' }} size="sm">
          Categories
        </AnchorLink>
      </Group>
      {articles.isError && <Text c="red">The articles could not be loaded.</Text>}
      <Table striped highlightOnHover aria-label="Articles">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Title</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Visibility</Table.Th>
            <Table.Th>Updated</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(articles.data ?? []).map((a) => {
            const pending = a.status === 'published' && (a.latestVersion ?? 0) > (a.publishedVersion ?? 0);
            return (
              <Table.Tr key={a.id}>
                <Table.Td>
                  <AnchorLink to="/knowledge/$id" params={{ id: a.id }}>
                    {a.title}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge color={a.status === 'published' ? 'green' : 'gray'} variant="dot" tt="none">
                      {a.status === 'published' ? 'Published' : 'Draft'}
                    </Badge>
                    {pending && (
                      <Badge color="yellow" variant="dot" tt="none">
                        Unpublished changes
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{a.visibility === 'public' ? 'Public' : 'Internal'}</Table.Td>
                <Table.Td>{new Date(a.updatedAt).toLocaleDateString()}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {articles.isSuccess && articles.data.length === 0 && <Text>No articles yet.</Text>}
    </Stack>
  );
}
