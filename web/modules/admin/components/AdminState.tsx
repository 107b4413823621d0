import { Alert, Button, Paper, Skeleton, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../../../lib/http';

/** Placeholder while an administration list loads. */
export function AdminLoading({ label }: { label: string }) {
  return (
    <Stack gap={6} role="status" aria-busy="true" aria-label={label}>
      {Array.from({ length: 5 }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders.
        <Skeleton key={i} height={40} radius="sm" />
      ))}
    </Stack>
  );
}

/** A list that failed to load: the server's reason and a retry. */
export function AdminLoadError({ error, onRetry, what }: { error: unknown; onRetry: () => void; what: string }) {
  return (
    <Alert color="red" title={`The ${what} could not be loaded`} role="alert">
      {error instanceof ApiError ? error.message : 'Something went wrong.'}
      <div>
        <Button mt="sm" variant="light" color="red" onClick={onRetry} h={40}>
          Try again
        </Button>
      </div>
    </Alert>
  );
}

/** Nothing here yet, and what to do about it. */
export function AdminEmpty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <Paper withBorder p="lg" radius="md" data-testid={testId}>
      <Text c="dimmed" ta="center">
        {children}
      </Text>
    </Paper>
  );
}

/** The message of a failed change, for an inline alert. */
export function MutationError({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError ? error.message : 'Something went wrong. Please try again.';
  return (
    <Alert color="red" role="alert" py="xs">
      {message}
      {error instanceof ApiError &&
        error.errors.map((e) => (
          <Text key={e.path} size="sm">
            {e.path}: {e.message}
          </Text>
        ))}
    </Alert>
  );
}
