import { Button, FileButton, Group, Paper, Stack, Table, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { recordTitle } from '../../records/utils/fields';
import {
  importCsv,
  importEmails,
  listMembers,
  removeMembers,
  type SegmentImport,
  segmentKeys,
} from '../api/segments.api';

/** What an import did, in words: matched and unmatched counts, the first unmatched emails. */
function describeImport(r: SegmentImport): string {
  const unmatched = r.unmatchedCount;
  const parts = [
    `${r.emails} ${r.emails === 1 ? 'email' : 'emails'} read`,
    `${r.matched} ${r.matched === 1 ? 'record' : 'records'} matched`,
    `${r.added} added`,
  ];
  if (r.matched > r.added) parts.push(`${r.matched - r.added} already in the segment`);
  if (unmatched > 0) {
    const shown = r.unmatched.slice(0, 5).join(', ');
    parts.push(`${unmatched} unmatched (${shown}${unmatched > 5 ? ', …' : ''})`);
  }
  return `${parts.join('; ')}.`;
}

interface Props {
  segmentId: string;
  meta: ObjectMeta;
  /** Static segments: members can be removed and imported from emails. */
  editable: boolean;
}

/** A segment's members (the first 50, with the count); for a static segment, remove and import by email. */
export function SegmentMembers({ segmentId, meta, editable }: Props) {
  const client = useQueryClient();
  const members = useQuery({
    queryKey: segmentKeys.members(segmentId),
    queryFn: ({ signal }) => listMembers(segmentId, undefined, signal),
  });
  const refresh = () => client.invalidateQueries({ queryKey: segmentKeys.members(segmentId) });
  const remove = useMutation({ mutationFn: (id: string) => removeMembers(segmentId, [id]), onSuccess: refresh });
  const [emails, setEmails] = useState('');
  const importer = useMutation({
    mutationFn: () =>
      importEmails(
        segmentId,
        emails.split(/[\s,;]+/).filter((e) => e.includes('@')),
      ),
    onSuccess: () => {
      setEmails('');
      return refresh();
    },
  });
  const upload = useMutation({
    mutationFn: async (file: File) => importCsv(segmentId, await file.text()),
    onSuccess: refresh,
  });
  // The newer of the two imports speaks.
  const latest = upload.submittedAt > importer.submittedAt ? upload : importer;
  const result = latest.data;
  const failure = latest.error;
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Text fw={600}>
          Members{members.data?.total !== undefined ? ` (${members.data.total.toLocaleString()})` : ''}
        </Text>
        <Table striped data-testid="segment-members">
          <Table.Tbody>
            {(members.data?.data ?? []).map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Link to="/$object/$id" params={{ object: meta.name, id: r.id }}>
                    {recordTitle(meta, r)}
                  </Link>
                </Table.Td>
                {editable && (
                  <Table.Td w={1}>
                    <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(r.id)}>
                      Remove
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {members.data?.page.hasMore && (
          <Text size="sm" c="dimmed">
            Showing the first {members.data.data.length}.
          </Text>
        )}
        {editable && meta.name !== 'accounts' && (
          <Group align="flex-end">
            <Textarea
              style={{ flex: 1 }}
              label="Add by email"
              description="Paste emails or a CSV column; records you can see with these emails are added."
              autosize
              minRows={2}
              value={emails}
              onChange={(e) => setEmails(e.currentTarget.value)}
              error={importer.error instanceof ApiError ? importer.error.message : undefined}
            />
            <Button onClick={() => importer.mutate()} loading={importer.isPending} disabled={!emails.trim()}>
              Add
            </Button>
            <FileButton onChange={(file) => file && upload.mutate(file)} accept=".csv,text/csv,text/plain">
              {(props) => (
                <Button {...props} variant="default" loading={upload.isPending}>
                  Upload a CSV
                </Button>
              )}
            </FileButton>
          </Group>
        )}
        {result && !failure && (
          <Text size="sm" role="status" data-testid="segment-import-result">
            {describeImport(result)}
          </Text>
        )}
        {upload.error && (
          <Text size="sm" c="red" role="alert">
            {upload.error instanceof ApiError
              ? (upload.error.errors[0]?.message ?? upload.error.message)
              : 'The upload failed.'}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
