import { Alert, Button, Group, Paper, Skeleton, Stack, Text } from '@mantine/core';
import { ApiError } from '../../../lib/http';
import { ButtonLink } from '../../../ui/links';
import { can, type ObjectMeta } from '../../objects/api/objects.api';

/** Placeholder rows while the first page loads. */
export function ListLoading() {
  return (
    <Stack gap={6} role="status" aria-busy="true" aria-label="Loading records">
      {Array.from({ length: 8 }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders.
        <Skeleton key={i} height={36} radius="sm" />
      ))}
    </Stack>
  );
}

/** Nothing to show: say why, and offer the next step. */
export function ListEmpty({ meta, filtered, onClear }: { meta: ObjectMeta; filtered: boolean; onClear: () => void }) {
  return (
    <Paper withBorder p="xl" radius="md" data-testid="list-empty">
      <Stack align="center" gap="sm">
        <Text fw={600}>
          {filtered
            ? `No ${meta.labelPlural.toLowerCase()} match these filters`
            : `No ${meta.labelPlural.toLowerCase()} yet`}
        </Text>
        {filtered ? (
          <Button variant="default" onClick={onClear}>
            Clear filters
          </Button>
        ) : (
          can(meta, 'create') && (
            <ButtonLink to="/$object/new" params={{ object: meta.name }}>
              New {meta.singular}
            </ButtonLink>
          )
        )}
      </Stack>
    </Paper>
  );
}

/** The list failed: the API's explanation, retry, and a way out when the filter is the problem. */
export function ListError({ error, onRetry, onClear }: { error: unknown; onRetry: () => void; onClear?: () => void }) {
  const message = error instanceof ApiError ? error.message : 'The list could not be loaded.';
  return (
    <Alert color="red" title="The list could not be loaded" role="alert">
      {message}
      {error instanceof ApiError &&
        error.errors.map((e) => (
          <Text key={e.path} size="sm">
            {e.path}: {e.message}
          </Text>
        ))}
      <Group mt="sm">
        <Button variant="light" color="red" onClick={onRetry}>
          Try again
        </Button>
        {onClear && (
          <Button variant="default" onClick={onClear}>
            Clear filters
          </Button>
        )}
      </Group>
    </Alert>
  );
}
