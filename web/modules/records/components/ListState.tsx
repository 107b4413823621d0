import { Alert, Button, Group, Paper, Skeleton, Stack, Text } from '@mantine/core';
import { withArticle } from '../../../../common/validation-messages';
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

const SCOPE_TITLE = { own: 'of yours yet', team: 'in your teams yet', all: 'yet' } as const;

/** Why a list is empty, in the caller's terms: their filters, or what their role lets them see. */
function whyEmpty(meta: ObjectMeta, filtered: boolean): string {
  const plural = meta.labelPlural.toLowerCase();
  if (filtered) return `There may be ${plural} that other filters would show.`;
  switch (meta.permissions?.scope) {
    case 'own':
      return `Your role shows the ${plural} you own and those shared with you; colleagues’ ${plural} are not listed.`;
    case 'team':
      return `Your role shows the ${plural} of your teams and those shared with you.`;
    default:
      return can(meta, 'create')
        ? `Nobody has added ${withArticle(meta.singular)} that you can see. Create the first one.`
        : `There are none that your role can see.`;
  }
}

/** Nothing to show: say why, and offer the next step. */
export function ListEmpty({ meta, filtered, onClear }: { meta: ObjectMeta; filtered: boolean; onClear: () => void }) {
  return (
    <Paper withBorder p="xl" radius="md" data-testid="list-empty">
      <Stack align="center" gap="sm">
        <Text fw={600}>
          {filtered
            ? `No ${meta.labelPlural.toLowerCase()} match these filters`
            : `No ${meta.labelPlural.toLowerCase()} ${SCOPE_TITLE[meta.permissions?.scope ?? 'all']}`}
        </Text>
        <Text size="sm" c="dimmed" ta="center" data-testid="list-empty-why">
          {whyEmpty(meta, filtered)}
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
