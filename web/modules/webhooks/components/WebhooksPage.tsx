import { Alert, Badge, Button, Card, Code, Group, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { createWebhook, deleteWebhook, pingWebhook, updateWebhook, webhooksQuery } from '../api/webhooks.api';
import { DeliveryLog } from './DeliveryLog';

/** /admin/webhooks: subscriptions (secret shown once), ping, pause, delete, and each one's delivery log. */
export function WebhooksPage() {
  const hooks = useQuery(webhooksQuery).data ?? [];
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ['admin', 'webhooks'] });
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState('contact.*');
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const errors = useFieldErrors();
  const create = useMutation({
    mutationFn: () =>
      createWebhook({
        url: url.trim(),
        eventTypes: types
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      }),
    onMutate: () => errors.clear(),
    onError: (err) => errors.show(err),
    onSuccess: async (hook) => {
      setSecret(hook.secret);
      setUrl('');
      setOpen(hook.id);
      await refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: ({ id, ...patch }: { id: string; active?: boolean; sharing?: boolean }) => updateWebhook(id, patch),
    onSettled: refresh,
  });
  const remove = useMutation({ mutationFn: deleteWebhook, onSettled: refresh });
  const ping = useMutation({ mutationFn: pingWebhook, onSettled: refresh });

  return (
    <Stack p="md" gap="md">
      <Title order={1} size="h2">
        Webhooks
      </Title>
      <Card
        withBorder
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            New webhook
          </Title>
          {errors.general && <Alert color="red">{errors.general}</Alert>}
          <TextInput
            label="URL"
            placeholder="https://example.com/rapport"
            required
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={errors.fields.url}
          />
          <TextInput
            label="Events"
            description="Comma-separated: contact.created, contact.*, *"
            value={types}
            onChange={(e) => setTypes(e.currentTarget.value)}
            error={errors.fields.eventTypes}
          />
          <Group>
            <Button type="submit" loading={create.isPending}>
              Add webhook
            </Button>
          </Group>
        </Stack>
      </Card>
      {secret && (
        <Alert color="yellow" withCloseButton closeButtonLabel="Dismiss" onClose={() => setSecret(null)}>
          <Text fw={600} size="sm" mb={4}>
            Signing secret — copy it now, it is not shown again
          </Text>
          <Code data-testid="webhook-secret">{secret}</Code>
        </Alert>
      )}
      {hooks.length === 0 && <Text c="dimmed">No webhooks yet.</Text>}
      {hooks.map((h) => (
        <Card key={h.id} withBorder data-testid="webhook">
          <Stack gap="xs">
            <Group justify="space-between" wrap="wrap">
              <Stack gap={2}>
                <Text fw={600} style={{ wordBreak: 'break-all' }}>
                  {h.url}
                </Text>
                <Group gap={4}>
                  {h.eventTypes.map((t) => (
                    <Badge key={t} variant="outline">
                      {t}
                    </Badge>
                  ))}
                  <Text size="xs" c="dimmed">
                    as {h.role} · {h.secretHint}
                  </Text>
                </Group>
              </Stack>
              <Group gap="xs">
                <Switch
                  label="Active"
                  checked={h.active}
                  onChange={(e) => toggle.mutate({ id: h.id, active: e.currentTarget.checked })}
                />
                <Switch
                  label="Shares data with a third party"
                  title="Events about people who opted out of sale or sharing are not sent to it"
                  checked={h.sharing}
                  onChange={(e) => toggle.mutate({ id: h.id, sharing: e.currentTarget.checked })}
                />
                <Button size="xs" variant="default" onClick={() => ping.mutate(h.id)}>
                  Ping
                </Button>
                <Button size="xs" variant="default" onClick={() => setOpen(open === h.id ? null : h.id)}>
                  {open === h.id ? 'Hide deliveries' : 'Deliveries'}
                </Button>
                <Button size="xs" variant="default" color="red" onClick={() => remove.mutate(h.id)}>
                  Delete
                </Button>
              </Group>
            </Group>
            {open === h.id && <DeliveryLog webhookId={h.id} />}
          </Stack>
        </Card>
      ))}
    </Stack>
  );
}
