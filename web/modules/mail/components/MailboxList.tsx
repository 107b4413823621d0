import { Alert, Button, Group, Select, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { teamsQuery } from '../../people/api/people.api';
import {
  createMailbox,
  KIND_LABELS,
  type Mailbox,
  mailboxesQuery,
  mailboxKeys,
  updateMailbox,
} from '../api/mailboxes.api';

/**
 * The workspace's mailboxes: the addresses mail is received at. A support mailbox's new
 * tickets go to the team chosen here (round robin among its agents with room); others
 * are generated for delivery reports, meeting replies and unsubscribe requests.
 */
export function MailboxList() {
  const client = useQueryClient();
  const mailboxes = useQuery(mailboxesQuery);
  const teams = useQuery(teamsQuery);
  const teamOptions = (teams.data ?? []).map((t) => ({ value: t.id, label: t.name }));
  const [status, setStatus] = useState<string | null>(null);
  const errors = useFieldErrors();
  const replace = (m: Mailbox) =>
    client.setQueryData<Mailbox[]>(mailboxKeys.all, (list) => list?.map((x) => (x.id === m.id ? m : x)));
  const update = useMutation({
    mutationFn: (v: { mailbox: Mailbox; teamId?: string | null; active?: boolean; done: string }) =>
      updateMailbox(v.mailbox.id, {
        ...(v.teamId !== undefined ? { teamId: v.teamId } : {}),
        ...(v.active !== undefined ? { active: v.active } : {}),
      }),
    onMutate: () => {
      setStatus(null);
      errors.clear();
    },
    onSuccess: (m, v) => {
      replace(m);
      setStatus(v.done);
    },
    onError: (err) => errors.show(err),
  });

  const [address, setAddress] = useState('');
  const [name, setName] = useState('');
  const [teamId, setTeamId] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () => createMailbox({ address, ...(name.trim() ? { name } : {}), teamId }),
    onMutate: () => {
      setStatus(null);
      errors.clear();
    },
    onSuccess: (m) => {
      setAddress('');
      setName('');
      setTeamId(null);
      setStatus(`Added ${m.address}.`);
    },
    onError: (err) => errors.show(err),
    onSettled: () => client.invalidateQueries({ queryKey: mailboxKeys.all }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const teamName = (id: string | null) => teamOptions.find((t) => t.value === id)?.label ?? 'no team';

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Mail sent to a support mailbox becomes a ticket; replies join their ticket. Forward your own support address
        (such as support@your-company.com) to the default address below, or add it here. New tickets of a mailbox with a
        team go to that team’s next agent with room; without one they wait in the unassigned queue.
      </Text>
      {mailboxes.error && <Alert color="red">{mailboxes.error.message}</Alert>}
      {errors.general && (
        <Alert color="red" role="alert">
          {errors.general}
          {errors.fields.teamId ? ` (team: ${errors.fields.teamId})` : ''}
        </Alert>
      )}
      {status && (
        <Alert color="green" role="status">
          {status}
        </Alert>
      )}
      {mailboxes.data && (
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Address</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>For</Table.Th>
                <Table.Th>Team for new tickets</Table.Th>
                <Table.Th>Receiving</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {mailboxes.data.map((m) => (
                <Table.Tr key={m.id} data-testid="mailbox-row">
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {m.address}
                    </Text>
                    {m.isDefault && m.kind === 'support' && (
                      <Text size="xs" c="dimmed">
                        Default address
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{m.name}</Table.Td>
                  <Table.Td>{KIND_LABELS[m.kind]}</Table.Td>
                  <Table.Td>
                    {m.kind === 'support' ? (
                      <Select
                        aria-label={`Team for new tickets from ${m.address}`}
                        placeholder="No team"
                        clearable
                        size="xs"
                        data={teamOptions}
                        value={m.teamId}
                        disabled={update.isPending}
                        onChange={(value) =>
                          update.mutate({
                            mailbox: m,
                            teamId: value,
                            done: `New tickets from ${m.address} go to ${teamName(value)}.`,
                          })
                        }
                      />
                    ) : (
                      <Text size="sm" c="dimmed">
                        —
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      aria-label={`Receive mail at ${m.address}`}
                      checked={m.active}
                      disabled={update.isPending}
                      onChange={(e) =>
                        update.mutate({
                          mailbox: m,
                          active: e.currentTarget.checked,
                          done: `${m.address} ${e.currentTarget.checked ? 'receives mail' : 'refuses mail'}.`,
                        })
                      }
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <form onSubmit={submit} noValidate aria-label="Add a support mailbox">
        <Group align="end">
          <TextInput
            label="Add a support address"
            placeholder="support@your-company.com"
            value={address}
            onChange={(e) => setAddress(e.currentTarget.value)}
            error={errors.fields.address}
          />
          <TextInput
            label="Name"
            placeholder="Support"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.fields.name}
          />
          <Select
            label="Team for its tickets"
            placeholder="No team"
            clearable
            data={teamOptions}
            value={teamId}
            onChange={setTeamId}
          />
          <Button type="submit" loading={add.isPending} disabled={!address.trim()}>
            Add mailbox
          </Button>
        </Group>
      </form>
    </Stack>
  );
}
