import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { CALL_DISPOSITIONS } from '../../../../common/contracts/telephony';
import { AnchorLink } from '../../../ui/links';
import { myPermissionsQuery } from '../../admin/api/admin.api';
import { meQuery } from '../../auth/api/auth.api';
import { onStreamMessage } from '../../notifications/utils/stream-listeners';
import {
  type Agent,
  getAgents,
  getQueueDays,
  getQueueStats,
  type ScreenPop,
  setMyPresence,
  telephonyKeys,
  wrapUpCall,
} from '../api/telephony.api';
import { AgentPriorities } from './AgentPriorities';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const seconds = (n: number | null) => (n == null ? '–' : `${n} s`);

const label = (v: string) => (v.charAt(0).toUpperCase() + v.slice(1)).replaceAll('_', ' ');

/**
 * /contact-centre: the agent desktop. Presence and the phone routed calls ring; the incoming
 * call with the caller's records (screen-pop, pushed on the notifications socket the moment a
 * call is routed here); the wrap-up form that completes the call record; the queues live.
 */
export function AgentDesktop() {
  const client = useQueryClient();
  const me = useQuery(meQuery);
  const admin = !!useQuery(myPermissionsQuery).data?.admin;
  const agents = useQuery({ queryKey: telephonyKeys.agents, queryFn: ({ signal }) => getAgents(signal) });
  const stats = useQuery({
    queryKey: telephonyKeys.stats,
    queryFn: ({ signal }) => getQueueStats(signal),
    refetchInterval: 10_000,
  });
  const [to] = useState(() => dayOf(Date.now()));
  const from = dayOf(Date.parse(`${to}T00:00:00Z`) - 6 * DAY_MS);
  const days = useQuery({
    queryKey: telephonyKeys.days(from, to),
    queryFn: ({ signal }) => getQueueDays(from, to, signal),
    retry: false,
  });
  const mine: Agent | undefined = agents.data?.find((a) => a.userId === me.data?.user?.id);
  const [phone, setPhone] = useState('');
  const [pop, setPop] = useState<ScreenPop | null>(null);
  const [disposition, setDisposition] = useState<string | null>('resolved');
  const [notes, setNotes] = useState('');
  const [followUp, setFollowUp] = useState('');
  const [followUpDue, setFollowUpDue] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (mine?.phone && !phone) setPhone(mine.phone);
  }, [mine?.phone, phone]);
  useEffect(
    () =>
      onStreamMessage((m) => {
        if (m.type !== 'screen_pop') return;
        setPop(m.pop);
        void client.invalidateQueries({ queryKey: telephonyKeys.agents });
      }),
    [client],
  );
  const presence = useMutation({
    mutationFn: setMyPresence,
    onSuccess: () => {
      setError(null);
      void client.invalidateQueries({ queryKey: telephonyKeys.agents });
    },
    onError: (e) => setError(e instanceof Error ? e.message : 'Could not change your presence'),
  });
  const wrapUp = useMutation({
    mutationFn: async (callId: string) => {
      await wrapUpCall(callId, {
        disposition: (disposition ?? 'other') as (typeof CALL_DISPOSITIONS)[number],
        notes,
        ...(followUp.trim()
          ? {
              followUp: {
                title: followUp.trim(),
                ...(followUpDue ? { dueAt: new Date(`${followUpDue}T09:00:00`).toISOString() } : {}),
              },
            }
          : {}),
      });
      await setMyPresence({ status: 'available' });
    },
    onSuccess: () => {
      setPop(null);
      setNotes('');
      setFollowUp('');
      setFollowUpDue('');
      void client.invalidateQueries({ queryKey: telephonyKeys.agents });
    },
    onError: (e) => setError(e instanceof Error ? e.message : 'Could not save the wrap-up'),
  });
  const status = mine?.status ?? 'offline';
  return (
    <Stack gap="md">
      <Title order={2}>Contact centre</Title>
      <Group gap="md" align="end" wrap="wrap">
        <TextInput
          label="My phone"
          description="Routed calls ring this number"
          placeholder="+14155550100"
          value={phone}
          onChange={(e) => setPhone(e.currentTarget.value)}
          w={220}
        />
        <Button
          size="md"
          onClick={() => presence.mutate({ status: 'available', phone: phone.trim() || null })}
          disabled={status === 'available'}
        >
          Available
        </Button>
        <Button
          size="md"
          variant="default"
          title="Not offered calls, still signed in (a break, another task)"
          onClick={() => presence.mutate({ status: 'busy' })}
          disabled={status === 'busy'}
        >
          Busy
        </Button>
        <Button
          size="md"
          variant="default"
          onClick={() => presence.mutate({ status: 'offline' })}
          disabled={status === 'offline'}
        >
          Offline
        </Button>
        <Text role="status" size="sm">
          You are <Badge component="span">{label(status)}</Badge>
        </Text>
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {pop && (
        <section aria-label="Incoming call">
          <Alert
            color="blue"
            variant="outline"
            title={`Call from ${pop.call.callerName ?? pop.call.from}`}
            role="alert"
          >
            <Stack gap="xs">
              <Text size="sm">
                {pop.call.from}
                {pop.call.queue ? ` · queue ${pop.call.queue}` : ''}
                {pop.call.ivrPath.length
                  ? ` · ${pop.call.ivrPath.map((s) => (s.digits ? `${s.node} (${s.digits})` : s.node)).join(' → ')}`
                  : ''}
              </Text>
              {pop.warn && (
                <Text size="sm" fw={600}>
                  Someone else contacted them recently: check before you promise anything.
                </Text>
              )}
              {pop.script && (
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  <Text span fw={600}>
                    Call script:{' '}
                  </Text>
                  {pop.script}
                </Text>
              )}
              {pop.contact && (
                <AnchorLink to="/$object/$id" params={{ object: 'contacts', id: pop.contact.id }}>
                  {pop.contact.name}
                </AnchorLink>
              )}
              {pop.lead && (
                <AnchorLink to="/$object/$id" params={{ object: 'leads', id: pop.lead.id }}>
                  Lead: {pop.lead.name}
                </AnchorLink>
              )}
              {pop.account && (
                <AnchorLink to="/$object/$id" params={{ object: 'accounts', id: pop.account.id }}>
                  {pop.account.name}
                </AnchorLink>
              )}
              {pop.unknownCaller && (
                <AnchorLink
                  to="/$object/new"
                  params={{ object: 'contacts' }}
                  search={{ prefill: { phone: pop.call.from } }}
                >
                  New contact with {pop.call.from}
                </AnchorLink>
              )}
              {pop.openTickets.length > 0 && (
                <>
                  <Text size="sm" fw={600}>
                    Open tickets
                  </Text>
                  <List size="sm">
                    {pop.openTickets.map((t) => (
                      <List.Item key={t.id}>
                        {t.number ? `#${t.number} ` : ''}
                        {t.subject}
                      </List.Item>
                    ))}
                  </List>
                </>
              )}
              {pop.openOpportunities.length > 0 && (
                <Text size="sm">Open opportunities: {pop.openOpportunities.map((o) => o.name).join(', ')}</Text>
              )}
              {pop.recentInteractions.length > 0 && (
                <Text size="sm">
                  Last contact: {pop.recentInteractions[0]?.topic} ({pop.recentInteractions[0]?.channel})
                </Text>
              )}
            </Stack>
          </Alert>
          <Stack gap="xs" mt="sm">
            <Title order={3}>Wrap-up</Title>
            <Select
              label="Disposition"
              data={CALL_DISPOSITIONS.map((d) => ({ value: d, label: label(d) }))}
              value={disposition}
              onChange={setDisposition}
              w={240}
            />
            <Textarea
              label="Notes"
              value={notes}
              onChange={(e) => setNotes(e.currentTarget.value)}
              autosize
              minRows={2}
            />
            <Group gap="sm" align="end" wrap="wrap">
              <TextInput
                label="Follow-up task"
                description="Optional: a task for you on the caller’s record"
                value={followUp}
                onChange={(e) => setFollowUp(e.currentTarget.value)}
                style={{ flex: 1, minWidth: 240 }}
              />
              <TextInput
                label="Due"
                type="date"
                value={followUpDue}
                onChange={(e) => setFollowUpDue(e.currentTarget.value)}
                w={170}
              />
            </Group>
            <Group>
              <Button size="md" loading={wrapUp.isPending} onClick={() => wrapUp.mutate(pop.call.id)}>
                Save wrap-up
              </Button>
            </Group>
          </Stack>
        </section>
      )}
      <section aria-label="Queues">
        <Title order={3}>Queues</Title>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Queue</Table.Th>
              <Table.Th>Waiting</Table.Th>
              <Table.Th>Agents available</Table.Th>
              <Table.Th>Answered today</Table.Th>
              <Table.Th>Abandoned today</Table.Th>
              <Table.Th>Average wait today</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(stats.data ?? []).map((s) => (
              <Table.Tr key={s.queue}>
                <Table.Td>{s.queue}</Table.Td>
                <Table.Td>{s.waiting}</Table.Td>
                <Table.Td>{s.agentsAvailable}</Table.Td>
                <Table.Td>{s.answeredToday}</Table.Td>
                <Table.Td>{s.abandonedToday}</Table.Td>
                <Table.Td>{seconds(s.averageWaitSecondsToday)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </section>
      {admin && agents.data && agents.data.length > 0 && <AgentPriorities agents={agents.data} />}
      {days.data && (
        <section aria-label="Queues by day">
          <Title order={3}>Queues by day</Title>
          <Text size="sm" c="dimmed">
            The last 7 days (UTC), as the reports count them.
          </Text>
          {days.data.length === 0 ? (
            <Text size="sm">No queued calls in the last 7 days.</Text>
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Day</Table.Th>
                  <Table.Th>Queue</Table.Th>
                  <Table.Th>Offered</Table.Th>
                  <Table.Th>Answered</Table.Th>
                  <Table.Th>Abandoned</Table.Th>
                  <Table.Th>Average wait</Table.Th>
                  <Table.Th>Average handle time</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {days.data.map((d) => (
                  <Table.Tr key={`${d.day}:${d.queue}`}>
                    <Table.Td>{d.day}</Table.Td>
                    <Table.Td>{d.queue}</Table.Td>
                    <Table.Td>{d.offered}</Table.Td>
                    <Table.Td>{d.answered}</Table.Td>
                    <Table.Td>{d.abandoned}</Table.Td>
                    <Table.Td>{seconds(d.averageWaitSeconds)}</Table.Td>
                    <Table.Td>{seconds(d.averageHandleSeconds)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </section>
      )}
    </Stack>
  );
}
