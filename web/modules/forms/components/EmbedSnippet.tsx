import { Anchor, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import type { Form } from '../api/forms.api';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The plain HTML a site pastes to embed the form (no script), and the hosted page's address. */
export function formSnippet(form: Pick<Form, 'url' | 'fields' | 'consents'>): string {
  return [
    `<form action="${esc(form.url)}" method="post">`,
    ...form.fields.map(
      (f) =>
        `  <label>${esc(f.label ?? f.field)} <input name="${esc(f.name)}"${f.required ? ' required' : ''}></label>`,
    ),
    ...form.consents.map(
      (c) => `  <label><input type="checkbox" name="_consent_${esc(c.purpose)}" value="yes"> ${esc(c.label)}</label>`,
    ),
    '  <input type="text" name="_website" tabindex="-1" autocomplete="off" aria-hidden="true" style="position:absolute;left:-10000px">',
    '  <button type="submit">Submit</button>',
    '</form>',
  ].join('\n');
}

/** The hosted URL and the embed snippet of a saved form. */
export function EmbedSnippet({ form }: { form: Form }) {
  const snippet = formSnippet(form);
  return (
    <Stack gap="xs">
      <Text fw={600}>Hosted page</Text>
      <Anchor href={form.url} target="_blank" rel="noreferrer" data-testid="form-url">
        {form.url}
      </Anchor>
      <Group justify="space-between">
        <Text fw={600}>Embed on your site</Text>
        <CopyButton value={snippet}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" onClick={copy}>
              {copied ? 'Copied' : 'Copy snippet'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Code block data-testid="form-snippet">
        {snippet}
      </Code>
    </Stack>
  );
}
