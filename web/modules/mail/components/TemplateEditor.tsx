import {
  Alert,
  Button,
  Code,
  Grid,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import {
  deleteTemplate,
  previewDraft,
  saveTemplate,
  type TemplateDraft,
  templatesQuery,
  testSendTemplate,
} from '../api/mail.api';

const EMPTY: TemplateDraft = {
  name: '',
  subject: 'Hello {{ contact.firstName | default: "there" }}',
  html: '<p>Hi {{ contact.firstName | default: "there" }},</p>\n<p>— {{ user.name }}, {{ workspace.name }}</p>',
  text: 'Hi {{ contact.firstName | default: "there" }},\n\n— {{ user.name }}, {{ workspace.name }}',
  format: 'html',
};

const MJML_STARTER = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hi {{ contact.firstName | default: "there" }},</mj-text>
        <mj-button href="https://example.com">Read more</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

/** Preview widths: a desktop mail client and a phone. */
const WIDTHS = { desktop: 640, phone: 375 } as const;

/** Templates: pick or create one, edit subject and bodies, see the rendered mail as you type. */
export function TemplateEditor() {
  const templates = useQuery(templatesQuery).data ?? [];
  const client = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const [draft, setDraft] = useState<TemplateDraft>(EMPTY);
  const errors = useFieldErrors();
  const current = templates.find((t) => t.id === selected);
  useEffect(() => {
    if (current)
      setDraft({
        name: current.name,
        subject: current.subject,
        html: current.html,
        text: current.text,
        format: current.format,
      });
  }, [current]);
  const [width, setWidth] = useState<keyof typeof WIDTHS>('desktop');
  const testSend = useMutation({ mutationFn: () => testSendTemplate(selected as string) });

  const [debounced] = useDebouncedValue(draft, 300);
  const preview = useQuery({
    queryKey: ['admin', 'mail', 'preview', debounced.subject, debounced.html, debounced.text, debounced.format],
    queryFn: ({ signal }) => previewDraft(debounced, undefined, signal),
    retry: false,
  });
  const save = useMutation({
    mutationFn: () => saveTemplate(draft, selected ?? undefined),
    onMutate: () => errors.clear(),
    onError: (err) => errors.show(err),
    onSuccess: async (t) => {
      await client.invalidateQueries({ queryKey: ['admin', 'mail', 'templates'] });
      setSelected(t.id);
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteTemplate(selected as string),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['admin', 'mail', 'templates'] });
      setSelected(null);
      setDraft(EMPTY);
    },
  });
  const set = (k: keyof TemplateDraft) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setDraft((d) => ({ ...d, [k]: value }));
  };

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Stack gap="sm">
          <Group align="end">
            <Select
              label="Template"
              placeholder="New template"
              data={templates.map((t) => ({ value: t.id, label: t.name }))}
              value={selected}
              onChange={(v) => {
                setSelected(v);
                if (!v) setDraft(EMPTY);
              }}
              clearable
              style={{ flex: 1 }}
            />
          </Group>
          {errors.general && <Alert color="red">{errors.general}</Alert>}
          <TextInput label="Name" required value={draft.name} onChange={set('name')} error={errors.fields.name} />
          <TextInput
            label="Subject"
            required
            value={draft.subject}
            onChange={set('subject')}
            error={errors.fields.subject}
          />
          <Select
            label="Format"
            data={[
              { value: 'html', label: 'HTML' },
              { value: 'mjml', label: 'MJML (responsive email)' },
            ]}
            value={draft.format ?? 'html'}
            allowDeselect={false}
            onChange={(v) =>
              setDraft((d) => ({
                ...d,
                format: v === 'mjml' ? 'mjml' : 'html',
                html: v === 'mjml' && !d.html.includes('<mjml') ? MJML_STARTER : d.html,
              }))
            }
          />
          <Textarea
            label={draft.format === 'mjml' ? 'MJML body' : 'HTML body'}
            autosize
            minRows={5}
            value={draft.html}
            onChange={set('html')}
            error={errors.fields.html}
          />
          <Textarea
            label="Text body"
            autosize
            minRows={4}
            value={draft.text}
            onChange={set('text')}
            error={errors.fields.text}
          />
          <Text size="xs" c="dimmed">
            Variables: <Code>{'{{ contact.firstName }}'}</Code>, <Code>{'{{ user.name }}'}</Code>,{' '}
            <Code>{'{{ workspace.name }}'}</Code>; a fallback:{' '}
            <Code>{'{{ contact.firstName | default: "there" }}'}</Code>. Values are HTML-escaped.
          </Text>
          <Group>
            <Button onClick={() => save.mutate()} loading={save.isPending}>
              {selected ? 'Save template' : 'Create template'}
            </Button>
            {selected && (
              <Button variant="default" onClick={() => testSend.mutate()} loading={testSend.isPending}>
                Send a test to me
              </Button>
            )}
            {selected && (
              <Button variant="default" color="red" onClick={() => remove.mutate()}>
                Delete
              </Button>
            )}
          </Group>
          {testSend.data && (
            <Text size="sm" role="status">
              Test sent to {testSend.data.to}.
            </Text>
          )}
          {testSend.error && <Alert color="red">{testSend.error.message}</Alert>}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Stack gap="xs" aria-live="polite">
          <Group justify="space-between">
            <Title order={2} size="h4">
              Preview (sample contact)
            </Title>
            <SegmentedControl
              size="xs"
              aria-label="Preview width"
              value={width}
              onChange={(v) => setWidth(v as keyof typeof WIDTHS)}
              data={[
                { value: 'desktop', label: 'Desktop' },
                { value: 'phone', label: 'Phone' },
              ]}
            />
          </Group>
          {preview.error && <Alert color="red">{preview.error.message}</Alert>}
          {preview.data && (
            <>
              <Text size="sm" data-testid="preview-subject">
                <b>Subject:</b> {preview.data.subject}
              </Text>
              {preview.data.html && (
                <iframe
                  title="HTML preview"
                  sandbox=""
                  srcDoc={preview.data.html}
                  data-testid="preview-frame"
                  style={{
                    width: '100%',
                    maxWidth: WIDTHS[width],
                    height: 420,
                    border: '1px solid var(--mantine-color-default-border)',
                  }}
                />
              )}
              <Code block data-testid="preview-text">
                {preview.data.text}
              </Code>
            </>
          )}
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
