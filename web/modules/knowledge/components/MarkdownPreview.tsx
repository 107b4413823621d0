import { Paper, Text, Typography } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { previewMarkdown } from '../api/knowledge.api';

/** The markdown as the help centre will show it: rendered and sanitised by the server (never in the browser). */
export function MarkdownPreview({ markdown }: { markdown: string }) {
  const [text, setText] = useState(markdown);
  useEffect(() => {
    const t = setTimeout(() => setText(markdown), 300);
    return () => clearTimeout(t);
  }, [markdown]);
  const html = useQuery({
    queryKey: ['knowledge', 'preview', text],
    queryFn: ({ signal }) => previewMarkdown(text, signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (html.isError) return <Text c="red">The preview is unavailable.</Text>;
  return (
    <Paper withBorder p="md" aria-label="Preview" data-testid="article-preview">
      <Typography>
        {html.data !== undefined && (
          // biome-ignore lint/security/noDangerouslySetInnerHtml: the server's sanitised HTML (markdown-it without raw HTML, then an allowlist)
          <div dangerouslySetInnerHTML={{ __html: html.data }} />
        )}
      </Typography>
    </Paper>
  );
}
