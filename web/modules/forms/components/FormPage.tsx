import { Alert, Badge, Button, Group, Paper, Stack, Table, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { AnchorLink } from '../../../ui/links';
import { createForm, deleteForm, type FormInput, formQuery, submissionsQuery, updateForm } from '../api/forms.api';
import { EmbedSnippet } from './EmbedSnippet';
import { FormBuilder } from './FormBuilder';

/** /forms/new: the builder for a new form. */
export function NewFormPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: createForm,
    onSuccess: (f) => {
      void client.invalidateQueries({ queryKey: ['forms'] });
      void navigate({ to: '/forms/$id', params: { id: f.id } });
    },
  });
  return (
    <Stack p="md" gap="md">
      <AnchorLink to="/forms" size="sm">
        ← Forms
      </AnchorLink>
      <Title order={1} size="h2">
        New form
      </Title>
      <FormBuilder
        isNew
        initial={{ name: '', object: 'leads', fields: [], consents: [], doubleOptIn: false, allowedOrigins: [] }}
        saving={create.isPending}
        error={create.error}
        onSave={(input) => create.mutate(input)}
      />
    </Stack>
  );
}

/** /forms/$id: the builder, the hosted URL and embed snippet, and the latest submissions. */
export function FormPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const client = useQueryClient();
  const navigate = useNavigate();
  const query = useQuery(formQuery(id));
  const submissions = useQuery(submissionsQuery(id));
  const save = useMutation({
    mutationFn: (input: FormInput) => updateForm(id, input),
    onSuccess: () => client.invalidateQueries({ queryKey: ['forms'] }),
  });
  const remove = useMutation({
    mutationFn: () => deleteForm(id),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['forms'] });
      void navigate({ to: '/forms' });
    },
  });
  if (query.error) return <Alert color="red">{query.error.message}</Alert>;
  const form = query.data;
  if (!form) return null;
  return (
    <Stack p="md" gap="md">
      <AnchorLink to="/forms" size="sm">
        ← Forms
      </AnchorLink>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={1} size="h2">
            {form.name}
          </Title>
          <Badge variant="light">v{form.version}</Badge>
        </Group>
        <Button
          variant="default"
          color="red"
          onClick={() => window.confirm(`Take “${form.name}” down?`) && remove.mutate()}
        >
          Take down
        </Button>
      </Group>
      <Paper withBorder p="md">
        <EmbedSnippet form={form} />
      </Paper>
      <FormBuilder
        key={form.version}
        initial={{
          name: form.name,
          object: form.object,
          fields: form.fields,
          consents: form.consents,
          thankYouMessage: form.thankYouMessage ?? undefined,
          redirectUrl: form.redirectUrl ?? undefined,
          doubleOptIn: form.doubleOptIn,
          allowedOrigins: form.allowedOrigins,
        }}
        saving={save.isPending}
        error={save.error}
        onSave={(input) => save.mutate(input)}
      />
      <Title order={2} size="h3">
        Latest submissions
      </Title>
      {submissions.data?.length === 0 && <div>No submissions yet.</div>}
      {submissions.data && submissions.data.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Page</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {submissions.data.map((s) => (
                <Table.Tr key={s.id} data-testid="submission-row">
                  <Table.Td>{new Date(s.createdAt).toLocaleString()}</Table.Td>
                  <Table.Td>
                    <AnchorLink to="/$object/$id" params={{ object: s.object, id: s.recordId }}>
                      {Object.values(s.data)
                        .filter((v) => typeof v === 'string')
                        .slice(0, 3)
                        .join(' · ') || 'Open'}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>v{s.formVersion}</Table.Td>
                  <Table.Td>{s.pageUrl ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
