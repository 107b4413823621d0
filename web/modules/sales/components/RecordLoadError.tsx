import { Alert, Button, Group } from '@mantine/core';
import { ApiError } from '../../../lib/http';

/** A record page that could not load: gone (404) or failed, with a retry. */
export function RecordLoadError({ error, what, onRetry }: { error: Error; what: string; onRetry: () => void }) {
  const gone = error instanceof ApiError && error.status === 404;
  return (
    <Alert color={gone ? 'gray' : 'red'} title={gone ? `This ${what} does not exist` : 'Could not load'} role="alert">
      {gone ? 'It may have been deleted.' : error.message}
      {!gone && (
        <Group mt="sm">
          <Button variant="light" onClick={onRetry}>
            Try again
          </Button>
        </Group>
      )}
    </Alert>
  );
}
