import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { rotateHookSecret } from '../api/workflows.api';
import { rememberHookUrl, useRevealedHookUrl } from '../hooks/useRevealedHookUrl';

interface Props {
  workflowId: string;
  /** Whether the saved version starts from a webhook (an unsaved switch has no address yet). */
  savedAsWebhook: boolean;
}

/** A webhook workflow's inbound address: shown once when made; rotate to get a new one. */
export function HookAddress({ workflowId, savedAsWebhook }: Props) {
  const client = useQueryClient();
  const revealed = useRevealedHookUrl(workflowId);
  const rotate = useMutation({
    mutationFn: () => rotateHookSecret(workflowId),
    onSuccess: (w) => rememberHookUrl(client, w),
  });
  if (!savedAsWebhook) {
    return (
      <Text size="sm" c="dimmed">
        Save the workflow to get its webhook address.
      </Text>
    );
  }
  if (revealed.url) {
    const full = `${location.origin}${revealed.url}`;
    return (
      <Alert color="yellow" withCloseButton closeButtonLabel="Dismiss" onClose={revealed.dismiss}>
        <Text size="sm" fw={600}>
          Webhook address — copy it now, it is not shown again
        </Text>
        <Text size="sm" mb={6}>
          POST JSON to it; the body becomes {'{{trigger.…}}'}.
        </Text>
        <Group gap="sm" wrap="nowrap" align="center">
          <Code style={{ overflowWrap: 'anywhere', flex: 1 }} data-testid="workflow-hook-url">
            {full}
          </Code>
          <CopyButton value={full}>
            {({ copied, copy }) => (
              <Button variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Alert>
    );
  }
  return (
    <Stack gap={4} align="flex-start">
      <Text size="sm" c="dimmed">
        The webhook address was shown once, when it was made. Rotate to get a new one: the current one stops working.
      </Text>
      <Button size="xs" variant="light" loading={rotate.isPending} onClick={() => rotate.mutate()}>
        Rotate address
      </Button>
      {rotate.error && (
        <Text size="sm" c="red">
          {rotate.error.message}
        </Text>
      )}
    </Stack>
  );
}
