import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { membersQuery } from '../../people/api/people.api';
import { type AuditEntry, type AuditFilter, auditExportUrl, auditPage } from '../api/admin.api';
import { AdminEmpty, AdminLoadError, AdminLoading } from './AdminState';
import { AuditEntryDetails } from './AuditEntryDetails';
import { AuditFilters } from './AuditFilters';
import { ScrollBox } from './ScrollBox';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** /admin/audit-log: who did what, when; searchable, paged, exportable. */
export function AuditLogPage() {
  const [filter, setFilter] = useState<AuditFilter>({});
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const members = useQuery(membersQuery);
  const log = useInfiniteQuery({
    queryKey: ['admin', 'audit-log', filter],
    queryFn: ({ pageParam, signal }) => auditPage(filter, pageParam, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.page.nextBefore ?? undefined,
  });
  const who = (e: AuditEntry) => {
    if (e.actorApiKeyId) return 'API key';
    const m = members.data?.find((x) => x.id === e.actorUserId);
    return m ? m.name || m.email : e.actorUserId ? 'Former member' : 'System';
  };
  const entries = log.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Title order={2} fz="h3">
          Audit log
        </Title>
        <Anchor
          href={auditExportUrl(filter)}
          download="audit-log.csv"
          h={40}
          display="inline-flex"
          style={{ alignItems: 'center' }}
        >
          Export CSV
        </Anchor>
      </Group>
      <AuditFilters value={filter} onChange={setFilter} />
      {log.isPending ? (
        <AdminLoading label="Loading the audit log" />
      ) : log.isError ? (
        <AdminLoadError error={log.error} onRetry={() => log.refetch()} what="audit log" />
      ) : entries.length === 0 ? (
        <AdminEmpty testId="audit-empty">No entries match.</AdminEmpty>
      ) : (
        <>
          <ScrollBox minWidth={600}>
            <Table verticalSpacing="xs" highlightOnHover data-testid="audit-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>What</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e) => (
                  <Table.Tr key={e.id} data-testid="audit-row" data-action={e.action}>
                    <Table.Td>
                      <Anchor component="button" type="button" size="sm" onClick={() => setOpen(e)} mih={40}>
                        {when(e.at)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{who(e)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {e.action}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {e.object ?? ''}
                        {e.changes && ` · ${Object.keys(e.changes).join(', ')}`}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollBox>
          {log.hasNextPage && (
            <Group justify="center">
              <Button variant="default" h={40} loading={log.isFetchingNextPage} onClick={() => log.fetchNextPage()}>
                Load older entries
              </Button>
            </Group>
          )}
        </>
      )}
      <AuditEntryDetails entry={open} actor={open ? who(open) : ''} onClose={() => setOpen(null)} />
    </Stack>
  );
}
