import { Anchor, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ArticleSuggestion, knowledgeKeys, suggestArticles } from '../api/knowledge.api';

interface Props {
  /** What to suggest for: a ticket's subject, a chat's first message. */
  query: string;
  /** Called with the article when the agent picks "Insert link" (e.g. to add `[title](url)` to a reply). */
  onInsert?: (article: ArticleSuggestion, markdownLink: string) => void;
}

/**
 * Published knowledge base articles for a text, for the ticket and chat views: public ones
 * can be inserted into a reply as a link to the help centre; internal ones are for the agent.
 */
export function ArticleSuggestions({ query, onInsert }: Props) {
  const q = query.trim();
  const suggestions = useQuery({
    queryKey: knowledgeKeys.suggest(q),
    queryFn: ({ signal }) => suggestArticles(q, signal),
    enabled: q.length > 0,
    staleTime: 60_000,
  });
  if (!q) return null;
  const items = suggestions.data ?? [];
  return (
    <Stack gap="xs" component="section" aria-label="Suggested articles">
      <Text fw={600} size="sm">
        Suggested articles
      </Text>
      {suggestions.isPending && <Text size="sm">Looking for articles…</Text>}
      {suggestions.isError && <Text size="sm">Suggestions are unavailable right now.</Text>}
      {suggestions.isSuccess && items.length === 0 && <Text size="sm">No article matches.</Text>}
      {items.map((a) => (
        <Card key={a.id} withBorder padding="xs" data-testid="article-suggestion">
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Stack gap={2} style={{ minWidth: 0 }}>
              <Group gap="xs">
                {a.url ? (
                  <Anchor href={a.url} target="_blank" rel="noopener" fw={500} size="sm">
                    {a.title}
                  </Anchor>
                ) : (
                  <Text fw={500} size="sm">
                    {a.title}
                  </Text>
                )}
                {a.visibility === 'internal' && (
                  <Badge size="xs" variant="dot" color="gray" tt="none">
                    Internal
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed" lineClamp={2}>
                {a.excerpt}
              </Text>
            </Stack>
            {onInsert && a.url && (
              <Button
                size="xs"
                variant="light"
                onClick={() => onInsert(a, `[${a.title}](${a.url})`)}
                aria-label={`Insert link to ${a.title}`}
              >
                Insert link
              </Button>
            )}
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
