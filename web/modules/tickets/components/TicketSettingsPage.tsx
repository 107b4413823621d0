import { Alert, Button, Group, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { AdminLoadError, AdminLoading } from '../../admin/components/AdminState';
import { getTicketSettings, saveTicketSettings, ticketSettingsKey } from '../api/ticket-settings.api';

/**
 * /admin/service-desk: whether new tickets are acknowledged by email, and the satisfaction
 * survey sent when a ticket is solved (on or off, its subject and introduction; empty: the
 * standard wording).
 */
export function TicketSettingsPage() {
  const client = useQueryClient();
  const settings = useQuery({ queryKey: ticketSettingsKey, queryFn: ({ signal }) => getTicketSettings(signal) });
  const [acknowledge, setAcknowledge] = useState(true);
  const [csat, setCsat] = useState(true);
  const [subject, setSubject] = useState('');
  const [intro, setIntro] = useState('');
  const [saved, setSaved] = useState(false);
  const errors = useFieldErrors();
  const save = useMutation({
    mutationFn: saveTicketSettings,
    onMutate: () => {
      setSaved(false);
      errors.clear();
    },
    onSuccess: (data) => {
      client.setQueryData(ticketSettingsKey, data);
      setSaved(true);
    },
    onError: (err) => errors.show(err),
  });
  useEffect(() => {
    const s = settings.data;
    if (!s) return;
    setAcknowledge(s.acknowledgeNewTickets);
    setCsat(s.csatEnabled);
    setSubject(s.csatSubject ?? '');
    setIntro(s.csatIntro ?? '');
  }, [settings.data]);

  if (settings.isPending) return <AdminLoading label="Loading ticket settings" />;
  if (settings.isError)
    return <AdminLoadError error={settings.error} onRetry={() => settings.refetch()} what="ticket settings" />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      acknowledgeNewTickets: acknowledge,
      csatEnabled: csat,
      csatSubject: subject.trim() || null,
      csatIntro: intro.trim() || null,
    });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Ticket settings">
      <Stack gap="md" maw={640} p="md">
        <Title order={2} fz="h3">
          Service desk
        </Title>
        <Switch
          label="Acknowledge new tickets by email"
          description="The sender of a new ticket gets a reply with its number (never to automatic mail)."
          checked={acknowledge}
          onChange={(e) => setAcknowledge(e.currentTarget.checked)}
          size="md"
        />
        <Switch
          label="Send a satisfaction survey when a ticket is solved"
          description="The customer rates 1 to 5 with one click from the email and may add a comment."
          checked={csat}
          onChange={(e) => setCsat(e.currentTarget.checked)}
          size="md"
        />
        <TextInput
          label="Survey subject"
          description="Empty: “How did we do?” with the ticket’s number and subject."
          value={subject}
          maxLength={200}
          disabled={!csat}
          onChange={(e) => setSubject(e.currentTarget.value)}
          error={errors.fields.csatSubject}
        />
        <Textarea
          label="Survey introduction"
          description="Shown above the five ratings. Empty: the standard wording naming the ticket."
          autosize
          minRows={2}
          maxLength={2000}
          value={intro}
          disabled={!csat}
          onChange={(e) => setIntro(e.currentTarget.value)}
          error={errors.fields.csatIntro}
        />
        <Text size="sm" c="dimmed">
          Live chats ask for a rating at their end whatever these settings; both count in the service dashboard’s CSAT.
        </Text>
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        {saved && (
          <Alert color="green" role="status">
            Saved.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} h={40}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
