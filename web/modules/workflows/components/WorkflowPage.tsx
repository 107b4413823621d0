import { Alert, Badge, Group, Stack, Switch, Tabs, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { ApiError } from '../../../lib/http';
import { AnchorLink } from '../../../ui/links';
import { createWorkflow, setActive, updateWorkflow, type WorkflowInput, workflowQuery } from '../api/workflows.api';
import { rememberHookUrl } from '../hooks/useRevealedHookUrl';
import { emptyDefinition } from '../utils/definition';
import { HookAddress } from './HookAddress';
import { RunsPanel } from './RunsPanel';
import { VersionsPanel } from './VersionsPanel';
import { WorkflowBuilder } from './WorkflowBuilder';

/** /workflows/new: the builder for a new workflow. */
export function NewWorkflowPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: createWorkflow,
    onSuccess: (w) => {
      rememberHookUrl(client, w);
      void client.invalidateQueries({ queryKey: ['workflows'] });
      void navigate({ to: '/workflows/$id', params: { id: w.id } });
    },
  });
  return (
    <Stack p="md" gap="md">
      <AnchorLink to="/workflows" size="sm">
        ← Workflows
      </AnchorLink>
      <Title order={1} size="h2">
        New workflow
      </Title>
      <WorkflowBuilder
        isNew
        initial={{ name: '', definition: emptyDefinition(), active: true }}
        saving={create.isPending}
        error={create.error}
        onSave={(input) => create.mutate(input)}
      />
    </Stack>
  );
}

/** /workflows/$id: builder, runs with their step logs, and versions. */
export function WorkflowPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const client = useQueryClient();
  const query = useQuery(workflowQuery(id));
  const w = query.data;
  const refresh = () => client.invalidateQueries({ queryKey: ['workflows'] });
  const save = useMutation({
    mutationFn: (input: WorkflowInput) => updateWorkflow(id, input),
    onSuccess: (saved) => {
      rememberHookUrl(client, saved);
      return refresh();
    },
  });
  const toggle = useMutation({ mutationFn: (on: boolean) => setActive(id, on), onSuccess: refresh });
  if (query.error) {
    return (
      <Alert color="red" m="md">
        {query.error instanceof ApiError && query.error.status === 404 ? 'No such workflow.' : query.error.message}
      </Alert>
    );
  }
  if (!w) return null;
  return (
    <Stack p="md" gap="md">
      <AnchorLink to="/workflows" size="sm">
        ← Workflows
      </AnchorLink>
      <Group justify="space-between">
        <Group>
          <Title order={1} size="h2">
            {w.name}
          </Title>
          <Badge color={w.active ? 'green' : 'gray'}>{w.active ? `active · v${w.activeVersion}` : 'inactive'}</Badge>
        </Group>
        <Switch
          label="Active"
          checked={w.active}
          disabled={toggle.isPending}
          onChange={(e) => toggle.mutate(e.currentTarget.checked)}
        />
      </Group>
      {toggle.error && <Alert color="red">{toggle.error.message}</Alert>}
      {save.isSuccess && !save.isPending && (
        <Text size="sm" c="green" role="status">
          Saved as version {save.data.latestVersion}.
        </Text>
      )}
      <Tabs defaultValue="builder" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="builder">Builder</Tabs.Tab>
          <Tabs.Tab value="runs">Runs</Tabs.Tab>
          <Tabs.Tab value="versions">Versions ({w.latestVersion})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="builder" pt="md">
          <WorkflowBuilder
            key={w.latestVersion}
            isNew={false}
            hookAddress={<HookAddress workflowId={w.id} savedAsWebhook={w.definition.trigger.type === 'webhook'} />}
            initial={{ name: w.name, description: w.description, definition: w.definition }}
            saving={save.isPending}
            error={save.error}
            onSave={(input) => save.mutate(input)}
          />
        </Tabs.Panel>
        <Tabs.Panel value="runs" pt="md">
          <RunsPanel workflowId={w.id} />
        </Tabs.Panel>
        <Tabs.Panel value="versions" pt="md">
          <VersionsPanel workflow={w} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
