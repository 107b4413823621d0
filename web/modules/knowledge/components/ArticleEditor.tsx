import {
  Alert,
  Badge,
  Button,
  Group,
  NativeSelect,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { AnchorLink } from '../../../ui/links';
import {
  type Article,
  type ArticleInput,
  createArticle,
  getArticle,
  getServiceSettings,
  knowledgeKeys,
  listCategories,
  publishArticle,
  updateArticle,
} from '../api/knowledge.api';
import { ArticleVersions } from './ArticleVersions';
import { MarkdownPreview } from './MarkdownPreview';

interface Draft {
  title: string;
  body: string;
  visibility: 'public' | 'internal';
  categoryId: string;
}

const fromArticle = (a: Article): Draft => ({
  title: a.title,
  body: a.body ?? '',
  visibility: a.visibility,
  categoryId: a.categoryId ?? '',
});

const fieldError = (err: unknown, path: string) =>
  err instanceof ApiError ? err.errors.find((e) => e.path === path)?.message : undefined;

/**
 * /knowledge/$id ("new" for a new article): title and markdown body with a preview, saved
 * as a draft (a published article keeps its public version until published again) or
 * published; the version history beside it.
 */
export function ArticleEditor({ id }: { id: string }) {
  const isNew = id === 'new';
  const navigate = useNavigate();
  const client = useQueryClient();
  const article = useQuery({
    queryKey: knowledgeKeys.article(id),
    queryFn: ({ signal }) => getArticle(id, signal),
    enabled: !isNew,
  });
  const categories = useQuery({ queryKey: knowledgeKeys.categories, queryFn: ({ signal }) => listCategories(signal) });
  const settings = useQuery({ queryKey: knowledgeKeys.settings, queryFn: ({ signal }) => getServiceSettings(signal) });
  const [draft, setDraft] = useState<Draft>({ title: '', body: '', visibility: 'public', categoryId: '' });
  const [loadedVersion, setLoadedVersion] = useState<number | null>(null);
  useEffect(() => {
    if (article.data && article.data.version !== loadedVersion) {
      setDraft(fromArticle(article.data));
      setLoadedVersion(article.data.version);
    }
  }, [article.data, loadedVersion]);

  const refresh = async (saved: Article) => {
    client.setQueryData(knowledgeKeys.article(saved.id), saved);
    await client.invalidateQueries({ queryKey: ['knowledge'] });
  };
  const input = (): ArticleInput => ({
    title: draft.title,
    body: draft.body,
    visibility: draft.visibility,
    categoryId: draft.categoryId || null,
  });
  const save = useMutation({
    mutationFn: async (publish: boolean) => {
      if (isNew) return createArticle({ ...input(), status: publish ? 'published' : 'draft' });
      const current = article.data as Article;
      const saved = await updateArticle(current.id, current.version, input());
      return publish ? publishArticle(saved.id) : saved;
    },
    onSuccess: async (saved) => {
      await refresh(saved);
      if (isNew) void navigate({ to: '/knowledge/$id', params: { id: saved.id } });
    },
  });
  const unpublish = useMutation({
    mutationFn: () => updateArticle(id, (article.data as Article).version, { status: 'draft' }),
    onSuccess: refresh,
  });

  if (!isNew && article.error) {
    return (
      <Alert color="red">
        {article.error instanceof ApiError && article.error.status === 404 ? 'No such article.' : article.error.message}
      </Alert>
    );
  }
  if (!isNew && !article.data) return null;
  const a = article.data;
  const pending = a && a.status === 'published' && (a.latestVersion ?? 0) > (a.publishedVersion ?? 0);
  const publicUrl =
    a && a.status === 'published' && a.visibility === 'public' && a.slug && settings.data?.helpCentreEnabled
      ? `${settings.data.helpCentreUrl}/articles/${a.slug}`
      : null;

  return (
    <Stack gap="md">
      <AnchorLink to="/knowledge" size="sm">
        ← Knowledge base
      </AnchorLink>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={1} fz="h2">
            {isNew ? 'New article' : a?.title}
          </Title>
          {a && (
            <Badge color={a.status === 'published' ? 'green' : 'gray'} variant="dot" tt="none">
              {a.status === 'published' ? `Published · v${a.publishedVersion}` : 'Draft'}
            </Badge>
          )}
          {pending && (
            <Badge color="yellow" variant="dot" tt="none">
              Unpublished changes
            </Badge>
          )}
        </Group>
        {publicUrl && (
          <Button component="a" variant="default" href={publicUrl} target="_blank" rel="noopener">
            View in the help centre
          </Button>
        )}
      </Group>
      {save.error && !(save.error instanceof ApiError && save.error.errors.length) && (
        <Alert color="red">{save.error.message}</Alert>
      )}
      <TextInput
        label="Title"
        required
        value={draft.title}
        onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })}
        error={fieldError(save.error, 'title')}
      />
      <Group grow>
        <NativeSelect
          label="Visibility"
          value={draft.visibility}
          onChange={(e) => setDraft({ ...draft, visibility: e.currentTarget.value as Draft['visibility'] })}
          data={[
            { value: 'public', label: 'Public (help centre)' },
            { value: 'internal', label: 'Internal (agents only)' },
          ]}
        />
        <NativeSelect
          label="Category"
          value={draft.categoryId}
          onChange={(e) => setDraft({ ...draft, categoryId: e.currentTarget.value })}
          data={[{ value: '', label: 'None' }, ...(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))]}
        />
      </Group>
      <Tabs defaultValue="write">
        <Tabs.List>
          <Tabs.Tab value="write">Write</Tabs.Tab>
          <Tabs.Tab value="preview">Preview</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="write" pt="sm">
          <Textarea
            label="Body (markdown)"
            autosize
            minRows={12}
            value={draft.body}
            onChange={(e) => setDraft({ ...draft, body: e.currentTarget.value })}
            error={fieldError(save.error, 'body')}
          />
        </Tabs.Panel>
        <Tabs.Panel value="preview" pt="sm">
          <MarkdownPreview markdown={draft.body} />
        </Tabs.Panel>
      </Tabs>
      <Group>
        <Button
          variant="default"
          loading={save.isPending && save.variables === false}
          onClick={() => save.mutate(false)}
        >
          {a?.status === 'published' ? 'Save as draft' : 'Save draft'}
        </Button>
        <Button loading={save.isPending && save.variables === true} onClick={() => save.mutate(true)}>
          Publish
        </Button>
        {a?.status === 'published' && (
          <Button variant="subtle" color="red" loading={unpublish.isPending} onClick={() => unpublish.mutate()}>
            Unpublish
          </Button>
        )}
      </Group>
      {a?.status === 'published' && (
        <Text size="sm" c="dimmed">
          Saving as draft keeps the published version on the help centre until you publish.
        </Text>
      )}
      {a && <ArticleVersions id={a.id} />}
    </Stack>
  );
}
