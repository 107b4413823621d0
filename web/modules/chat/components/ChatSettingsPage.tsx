import {
  Alert,
  Anchor,
  Button,
  Code,
  ColorInput,
  Group,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { getJson } from '../../../lib/http';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { AdminLoadError, AdminLoading } from '../../admin/components/AdminState';
import { chatKeys, getChatSettings, saveChatSettings } from '../api/chat.api';

type Option = { value: string; label: string };
const options = (path: string) => () =>
  getJson<{ data: { id: string; name: string }[] }>(path).then((r) =>
    r.data.map((x): Option => ({ value: x.id, label: x.name })),
  );

/** /admin/chat: the widget's look and greeting, allowed sites, business hours, team, identity verification. */
export function ChatSettingsPage() {
  const client = useQueryClient();
  const settings = useQuery({ queryKey: chatKeys.settings, queryFn: ({ signal }) => getChatSettings(signal) });
  const calendars = useQuery({ queryKey: ['business-calendars'], queryFn: options('/api/v1/business-calendars') });
  const teams = useQuery({ queryKey: ['teams-options'], queryFn: options('/api/v1/teams') });
  const [enabled, setEnabled] = useState(false);
  const [colour, setColour] = useState('#1864ab');
  const [greeting, setGreeting] = useState('');
  const [origins, setOrigins] = useState('');
  const [calendarId, setCalendarId] = useState<string | null>(null);
  const [teamId, setTeamId] = useState<string | null>(null);
  const [verify, setVerify] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const errors = useFieldErrors();
  const save = useMutation({
    mutationFn: saveChatSettings,
    onSuccess: (data) => client.setQueryData(chatKeys.settings, { ...data, identitySecret: undefined }),
  });
  useEffect(() => {
    const s = settings.data;
    if (!s) return;
    setEnabled(s.enabled);
    setColour(s.colour);
    setGreeting(s.greeting);
    setOrigins(s.allowedOrigins.join('\n'));
    setCalendarId(s.calendarId);
    setTeamId(s.teamId);
    setVerify(s.requireVerification);
  }, [settings.data]);

  if (settings.isPending) return <AdminLoading label="Loading chat settings" />;
  if (settings.isError)
    return <AdminLoadError error={settings.error} onRetry={() => settings.refetch()} what="chat settings" />;

  const change = (body: Parameters<typeof saveChatSettings>[0], done: string) => {
    errors.clear();
    setSaved(null);
    save.mutate(body, {
      onSuccess: (data) => {
        setSaved(done);
        if (data.identitySecret) setSecret(data.identitySecret);
      },
      onError: (err) => errors.show(err),
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const allowedOrigins = origins
      .split(/[\s,]+/)
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean);
    change({ enabled, colour, greeting, allowedOrigins, calendarId, teamId, requireVerification: verify }, 'Saved.');
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Live chat settings">
      <Stack gap="md" maw={640}>
        <Title order={2} fz="h3">
          Live chat
        </Title>
        <Text size="sm">
          Put this tag on your site’s pages to show the chat button. Agents answer in{' '}
          <Anchor href="/chat">Live chat</Anchor>; when nobody is online, or outside business hours, visitors leave a
          message that becomes a ticket.{' '}
          <Anchor href="/chat/demo" target="_blank">
            Demo page
          </Anchor>
        </Text>
        <Code block data-testid="chat-snippet">
          {settings.data.snippet}
        </Code>
        <Switch label="Chat on" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} size="md" />
        <ColorInput label="Colour" value={colour} onChange={setColour} format="hex" error={errors.fields.colour} />
        <TextInput
          label="Greeting"
          value={greeting}
          maxLength={300}
          onChange={(e) => setGreeting(e.currentTarget.value)}
          error={errors.fields.greeting}
        />
        <Textarea
          label="Sites allowed to open the chat"
          description="One per line, such as https://www.example.com. Empty: any site with the tag."
          autosize
          minRows={2}
          value={origins}
          onChange={(e) => setOrigins(e.currentTarget.value)}
          error={errors.fields.allowedOrigins}
        />
        <Select
          label="Business hours"
          description="Outside them the chat offers the offline form. None: around the clock."
          clearable
          data={calendars.data ?? []}
          value={calendarId}
          onChange={setCalendarId}
          error={errors.fields.calendarId}
        />
        <Select
          label="Team answering"
          description="Chats go to the next available agent of this team. None: every agent."
          clearable
          data={teams.data ?? []}
          value={teamId}
          onChange={setTeamId}
          error={errors.fields.teamId}
        />
        <Switch
          label="Require identity verification"
          description="A visitor identity passed by your site is linked to a contact only with a valid HMAC."
          checked={verify}
          onChange={(e) => setVerify(e.currentTarget.checked)}
          size="md"
        />
        {errors.fields.requireVerification && (
          <Text c="red" size="sm">
            {errors.fields.requireVerification}
          </Text>
        )}
        {secret && (
          <Alert color="blue" title="Identity secret (shown once)" role="status">
            <Code data-testid="chat-identity-secret">{secret}</Code>
            <Text size="sm" mt="xs">
              Your server sets window.rapportChat = {'{'} email, name, hash {'}'} before the tag, where hash is the hex
              HMAC-SHA256 of the lower-case email under this secret.
            </Text>
          </Alert>
        )}
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
          </Alert>
        )}
        {saved && (
          <Alert color="green" role="status">
            {saved}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} h={40}>
            Save
          </Button>
          <Button
            variant="default"
            h={40}
            onClick={() => change({ rotateIdentitySecret: true }, 'New identity secret issued.')}
          >
            {settings.data.hasIdentitySecret ? 'New identity secret' : 'Create identity secret'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
