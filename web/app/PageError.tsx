import { Alert, Button, Container, Group } from '@mantine/core';
import type { ErrorComponentProps } from '@tanstack/react-router';
import { useRouter } from '@tanstack/react-router';
import { ApiError } from '../lib/http';

/** A page that failed to load: what went wrong and a way to try again. */
export function PageError({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  const message = error instanceof ApiError ? error.message : 'Something went wrong while loading this page.';
  return (
    <Container size="sm" py="xl">
      <Alert color="red" title="This page could not be loaded" role="alert">
        {message}
        <Group mt="md">
          <Button
            variant="light"
            color="red"
            onClick={() => {
              reset();
              void router.invalidate();
            }}
          >
            Try again
          </Button>
        </Group>
      </Alert>
    </Container>
  );
}
