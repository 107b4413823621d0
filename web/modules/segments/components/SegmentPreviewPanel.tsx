import { Alert, Badge, Group, Loader, Paper, Stack, Table, Text } from '@mantine/core';
import { ApiError } from '../../../lib/http';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { recordTitle } from '../../records/utils/fields';
import type { SegmentPreviewInput } from '../api/segments.api';
import { useSegmentPreview } from '../hooks/useSegmentPreview';

interface Props {
  meta: ObjectMeta;
  input: SegmentPreviewInput | null;
}

/** The live count and the first records of the filter being edited. */
export function SegmentPreviewPanel({ meta, input }: Props) {
  const preview = useSegmentPreview(input);
  const problem = preview.error instanceof ApiError ? preview.error : null;
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>Matching {meta.labelPlural.toLowerCase()}</Text>
          <Group gap="xs">
            {preview.isFetching && <Loader size="xs" aria-label="Counting" />}
            <Badge size="lg" variant="light" data-testid="segment-live-count">
              {preview.data ? preview.data.total.toLocaleString() : '–'}
            </Badge>
          </Group>
        </Group>
        {problem && (
          <Alert color="red" role="alert">
            {problem.errors.length ? problem.errors.map((e) => `${e.path}: ${e.message}`).join('; ') : problem.message}
          </Alert>
        )}
        {preview.data && preview.data.sample.length > 0 && (
          <Table striped data-testid="segment-preview">
            <Table.Tbody>
              {preview.data.sample.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{recordTitle(meta, r)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {preview.data && preview.data.total > preview.data.sample.length && (
          <Text size="sm" c="dimmed">
            The first {preview.data.sample.length} of {preview.data.total.toLocaleString()}.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
