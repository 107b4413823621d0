import { Alert, Badge, Button, Code, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { setActive, versionsQuery, type Workflow } from '../api/workflows.api';

/** Every version of a workflow, newest first; any one can be activated (roll back). */
export function VersionsPanel({ workflow }: { workflow: Workflow }) {
  const versions = useQuery(versionsQuery(workflow.id));
  const client = useQueryClient();
  const [shown, setShown] = useState<number | null>(null);
  const activate = useMutation({
    mutationFn: (v: number) => setActive(workflow.id, true, v),
    onSuccess: () => client.invalidateQueries({ queryKey: ['workflows'] }),
  });
  return (
    <Stack gap="sm">
      {activate.error && <Alert color="red">{activate.error.message}</Alert>}
      {versions.data?.map((v) => (
        <Stack key={v.version} gap={4} data-testid="version-row">
          <Group>
            <Text fw={600}>Version {v.version}</Text>
            {workflow.activeVersion === v.version && <Badge color="green">active</Badge>}
            <Text size="sm" c="dimmed">
              {new Date(v.createdAt).toLocaleString()}
            </Text>
            <Button size="compact-sm" variant="subtle" onClick={() => setShown(shown === v.version ? null : v.version)}>
              {shown === v.version ? 'Hide' : 'Show'}
            </Button>
            {workflow.activeVersion !== v.version && (
              <Button size="compact-sm" variant="light" onClick={() => activate.mutate(v.version)}>
                Activate this version
              </Button>
            )}
          </Group>
          {shown === v.version && <Code block>{JSON.stringify(v.definition, null, 2)}</Code>}
        </Stack>
      ))}
    </Stack>
  );
}
