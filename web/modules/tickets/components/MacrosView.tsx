import { Alert, Button, Card, Group, Modal, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import {
  createMacro,
  deleteMacro,
  listMacros,
  type Macro,
  serviceDeskKeys,
  updateMacro,
} from '../api/service-desk.api';

const STATUSES = ['open', 'pending', 'on_hold', 'solved', 'closed'];

interface Draft {
  id?: string;
  name: string;
  kind: 'reply' | 'note';
  body: string;
  setStatus: string | null;
}

/** Macros (canned replies with variables): list, create, edit, delete. */
export function MacrosView() {
  const queryClient = useQueryClient();
  const macros = useQuery({ queryKey: serviceDeskKeys.macros, queryFn: ({ signal }) => listMacros(signal) });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: serviceDeskKeys.macros });
  const save = async () => {
    if (!draft) return;
    setError(null);
    const body = {
      name: draft.name,
      kind: draft.kind,
      body: draft.body,
      setStatus: (draft.setStatus as Macro['setStatus']) ?? null,
    };
    try {
      if (draft.id) await updateMacro(draft.id, body);
      else await createMacro(body);
      setDraft(null);
      void refresh();
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || err.message
          : 'Could not save.',
      );
    }
  };
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>Macros</Title>
        <Button onClick={() => setDraft({ name: '', kind: 'reply', body: '', setStatus: null })}>New macro</Button>
      </Group>
      <Text c="dimmed" size="sm">
        Canned replies and notes. Variables are filled in from the ticket when applied: {'{{ contact.firstName }}'},{' '}
        {'{{ ticket.number }}'}, {'{{ ticket.subject }}'}, {'{{ account.name }}'}, {'{{ agent.name }}'}, with{' '}
        {'{{ contact.firstName | default: "there" }}'} for a fallback.
      </Text>
      {macros.data?.length === 0 && <Text c="dimmed">No macros yet.</Text>}
      {macros.data?.map((m) => (
        <Card key={m.id} withBorder padding="sm" data-testid="macro">
          <Group justify="space-between" align="flex-start">
            <Stack gap={2} style={{ minWidth: 0 }}>
              <Text fw={600}>{m.name}</Text>
              <Text size="sm" c="dimmed" lineClamp={2} style={{ whiteSpace: 'pre-wrap' }}>
                {m.body}
              </Text>
            </Stack>
            <Group gap="xs">
              <Button
                size="xs"
                variant="default"
                onClick={() => setDraft({ id: m.id, name: m.name, kind: m.kind, body: m.body, setStatus: m.setStatus })}
              >
                Edit
              </Button>
              <Button
                size="xs"
                variant="default"
                color="red"
                onClick={async () => {
                  await deleteMacro(m.id);
                  void refresh();
                }}
              >
                Delete
              </Button>
            </Group>
          </Group>
        </Card>
      ))}
      <Modal
        opened={draft !== null}
        onClose={() => setDraft(null)}
        title={draft?.id ? 'Edit macro' : 'New macro'}
        size="lg"
      >
        {draft && (
          <Stack>
            <TextInput
              label="Name"
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
              required
            />
            <Select
              label="Kind"
              data={[
                { value: 'reply', label: 'Reply to customer' },
                { value: 'note', label: 'Internal note' },
              ]}
              value={draft.kind}
              onChange={(v) => setDraft({ ...draft, kind: (v as Draft['kind']) ?? 'reply' })}
            />
            <Textarea
              label="Text"
              autosize
              minRows={5}
              value={draft.body}
              onChange={(e) => setDraft({ ...draft, body: e.currentTarget.value })}
              required
            />
            <Select
              label="Then set the status to"
              clearable
              data={STATUSES.map((s) => ({ value: s, label: s.replace('_', ' ') }))}
              value={draft.setStatus}
              onChange={(v) => setDraft({ ...draft, setStatus: v })}
            />
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button onClick={save} disabled={!draft.name.trim() || !draft.body.trim()}>
                Save macro
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
