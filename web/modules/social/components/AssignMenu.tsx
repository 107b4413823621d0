import { Button, Menu, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { meQuery } from '../../auth/api/auth.api';
import { membersQuery, teamsQuery } from '../../people/api/people.api';
import { assignConversation, type SocialMessage, socialKeys } from '../api/social.api';

/** Who (and which team) a conversation is with, as people read it. */
export function useAssignment(message: SocialMessage) {
  const members = useQuery(membersQuery);
  const teams = useQuery(teamsQuery);
  const me = useQuery(meQuery);
  const person =
    typeof message.assigneeId === 'string'
      ? message.assigneeId === me.data?.user?.id
        ? 'me'
        : (members.data?.find((m) => m.id === message.assigneeId)?.name ?? 'a colleague')
      : null;
  const team =
    typeof message.teamId === 'string' ? (teams.data?.find((t) => t.id === message.teamId)?.name ?? 'a team') : null;
  const label = person && team ? `${person} (${team})` : (person ?? team ?? 'nobody');
  return { label, assigned: !!person, teamed: !!team, members, teams, me };
}

/**
 * Assign the conversation a message belongs to: to me, to a colleague, to a team, or back
 * to nobody. Every message of the thread follows (the inbox's "Unassigned" and "Mine" filters
 * then show it so); new messages of the conversation inherit it.
 */
export function AssignMenu({ message, who }: { message: SocialMessage; who: string }) {
  const client = useQueryClient();
  const { label, assigned, teamed, members, teams, me } = useAssignment(message);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const assign = async (to: { assigneeId?: string | null; teamId?: string | null }) => {
    setBusy(true);
    setError(null);
    try {
      await assignConversation(message.id, to);
      await client.invalidateQueries({ queryKey: socialKeys.all });
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'It could not be assigned.');
    } finally {
      setBusy(false);
    }
  };
  const myId = me.data?.user?.id;
  return (
    <>
      <Menu position="bottom-end" shadow="md">
        <Menu.Target>
          <Button
            variant="light"
            size="xs"
            h={40}
            loading={busy}
            aria-label={
              assigned || teamed
                ? `Assigned: ${label}, the conversation with ${who}`
                : `Assign the conversation with ${who}`
            }
          >
            {assigned || teamed ? `Assigned: ${label}` : 'Assign'}
          </Button>
        </Menu.Target>
        <Menu.Dropdown mah={360} style={{ overflowY: 'auto' }}>
          {myId && message.assigneeId !== myId && (
            <Menu.Item mih={40} onClick={() => assign({ assigneeId: myId })}>
              Assign to me
            </Menu.Item>
          )}
          {assigned && (
            <Menu.Item mih={40} onClick={() => assign({ assigneeId: null })}>
              Unassign
            </Menu.Item>
          )}
          {(members.data ?? []).filter((m) => m.id !== myId).length > 0 && <Menu.Label>People</Menu.Label>}
          {(members.data ?? [])
            .filter((m) => m.id !== myId && m.id !== message.assigneeId)
            .map((m) => (
              <Menu.Item key={m.id} mih={40} onClick={() => assign({ assigneeId: m.id })}>
                {m.name || m.email}
              </Menu.Item>
            ))}
          {(teams.data ?? []).length > 0 && <Menu.Label>Teams</Menu.Label>}
          {(teams.data ?? [])
            .filter((t) => t.id !== message.teamId)
            .map((t) => (
              <Menu.Item key={t.id} mih={40} onClick={() => assign({ teamId: t.id })}>
                Team {t.name}
              </Menu.Item>
            ))}
          {teamed && (
            <Menu.Item mih={40} onClick={() => assign({ teamId: null })}>
              Remove the team
            </Menu.Item>
          )}
        </Menu.Dropdown>
      </Menu>
      {error && (
        <Text size="xs" c="red" role="alert">
          {error}
        </Text>
      )}
    </>
  );
}
