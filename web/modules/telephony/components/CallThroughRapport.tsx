import { Alert, Button, Popover, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { Icon } from '../../../ui/Icon';
import { meQuery } from '../../auth/api/auth.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { dialCall, getAgents, telephonyKeys } from '../api/telephony.api';

/** The records whose phone click-to-call dials (the caller's own records, as the IVR matches them). */
const DIALLED = new Set(['contacts', 'leads', 'accounts']);

interface Props {
  object: string;
  record: Record<string, unknown>;
}

/** A refusal as people read it: the fields the server named, else its message. */
const reason = (err: Error) =>
  err instanceof ApiError && err.errors.length
    ? err.errors.map((e) => `${e.path}: ${e.message}`).join('; ')
    : err.message;

/**
 * Click-to-call through the workspace's telephony provider (`POST /api/v1/calls/dial`): the
 * agent's phone rings first (their agent desktop phone, or one typed here); when they answer,
 * the customer's is dialled and the call is logged. Shown on a contact, lead or account with a
 * phone to whoever may create calls; the `tel:` link stays for calling from this device.
 */
export function CallThroughRapport({ object, record }: Props) {
  const calls = useObjects().find((o) => o.name === 'calls');
  const [opened, setOpened] = useState(false);
  const [agentPhone, setAgentPhone] = useState('');
  const me = useQuery({ ...meQuery, enabled: opened });
  // The phone the agent desktop rings; readers of calls only (others type theirs).
  const agents = useQuery({
    queryKey: telephonyKeys.agents,
    queryFn: ({ signal }) => getAgents(signal),
    enabled: opened,
    retry: false,
  });
  const mine = agents.data?.find((a) => a.userId === me.data?.user?.id)?.phone;
  useEffect(() => {
    if (mine && !agentPhone) setAgentPhone(mine);
  }, [mine, agentPhone]);
  const phone = typeof record.phone === 'string' ? record.phone : '';
  const dial = useMutation({
    mutationFn: () =>
      dialCall({
        to: phone,
        agentPhone: agentPhone.replace(/[\s().-]/g, ''),
        ...(object === 'contacts' ? { contactId: String(record.id) } : {}),
      }),
  });
  if (!DIALLED.has(object) || !phone || !calls?.permissions.create) return null;
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={320} withArrow trapFocus>
      <Popover.Target>
        <Button
          variant="default"
          h={40}
          leftSection={<Icon name="phone" size={16} />}
          onClick={() => setOpened((o) => !o)}
        >
          Call through Rapport
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            dial.mutate();
          }}
        >
          <Stack gap="xs">
            <Text size="sm">Your phone rings first; when you answer, Rapport calls {phone}.</Text>
            <TextInput
              label="Your phone"
              placeholder="+14155550100"
              required
              value={agentPhone}
              onChange={(e) => setAgentPhone(e.currentTarget.value)}
            />
            <Button type="submit" loading={dial.isPending}>
              Ring my phone
            </Button>
            {dial.isSuccess && (
              <Text size="sm" role="status">
                Calling your phone: answer it to be put through to {phone}.
              </Text>
            )}
            {dial.error && (
              <Alert color="red" role="alert" p="xs">
                Not called: {reason(dial.error)}
              </Alert>
            )}
          </Stack>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}
