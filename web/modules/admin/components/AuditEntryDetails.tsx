import { Code, Modal, Stack, Table, Text } from '@mantine/core';
import type { AuditEntry } from '../api/admin.api';
import { ScrollBox } from './ScrollBox';

const show = (v: unknown) => (v == null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** One entry in full: who, when, from where, each field's change from → to, and the details. */
export function AuditEntryDetails({
  entry,
  actor,
  onClose,
}: {
  entry: AuditEntry | null;
  actor: string;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={!!entry}
      onClose={onClose}
      title={entry?.action ?? ''}
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {entry && (
        <Stack gap="sm" data-testid="audit-details">
          <Text size="sm">
            {new Date(entry.at).toISOString()} · {actor}
            {entry.ip && ` · from ${entry.ip}`}
          </Text>
          {entry.object && (
            <Text size="sm">
              {entry.object}
              {entry.recordId && (
                <>
                  {' '}
                  <Code>{entry.recordId}</Code>
                </>
              )}
            </Text>
          )}
          {entry.changes && Object.keys(entry.changes).length > 0 && (
            <ScrollBox minWidth={400}>
              <Table data-testid="audit-changes">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Field</Table.Th>
                    <Table.Th>From</Table.Th>
                    <Table.Th>To</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {Object.entries(entry.changes).map(([field, [from, to]]) => (
                    <Table.Tr key={field}>
                      <Table.Td ff="monospace">{field}</Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{show(from)}</Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{show(to)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollBox>
          )}
          {entry.detail && (
            <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {JSON.stringify(entry.detail, null, 2)}
            </Code>
          )}
          {entry.requestId && (
            <Text size="xs" c="dimmed">
              Request {entry.requestId}
            </Text>
          )}
        </Stack>
      )}
    </Modal>
  );
}
