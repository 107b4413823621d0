import { Alert, Chip, Grid, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { FilterNode } from '../../../../common/filter';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { meQuery } from '../../auth/api/auth.api';
import { can, objectsQuery } from '../../objects/api/objects.api';
import { listInbox, type SocialMessage, socialKeys } from '../api/social.api';
import { SocialList } from './SocialList';
import { SocialThread } from './SocialThread';

const NETWORKS = [
  { value: '', label: 'All networks' },
  { value: 'facebook', label: 'Facebook' },
  { value: 'instagram', label: 'Instagram' },
  { value: 'x', label: 'X' },
  { value: 'generic', label: 'Other' },
];

/** Phone-sized tap targets (40 px). */
const TALL = { label: { height: 40 } };

type Toggle = 'unread' | 'negative' | 'unassigned' | 'mine';

/**
 * /social: the social inbox. Every network in one list with filters (network, unread,
 * negative, unassigned, mine), the open conversation with the customer's record beside it,
 * the reply box (the network's reply window shown and enforced) and one-step actions.
 */
export function SocialInbox() {
  const me = useQuery(meQuery);
  const objects = useQuery(objectsQuery);
  const meta = objects.data?.find((o) => o.name === 'social_messages');
  const canWork = !!meta && can(meta, 'update');
  const [network, setNetwork] = useState('');
  const [toggles, setToggles] = useState<Toggle[]>([]);
  const [selected, setSelected] = useState<SocialMessage | null>(null);
  const filter = useMemo<FilterNode | undefined>(() => {
    const parts: FilterNode[] = [];
    if (network) parts.push({ field: 'network', op: 'eq', value: network });
    if (toggles.includes('unread')) parts.push({ field: 'status', op: 'eq', value: 'new' });
    if (toggles.includes('negative')) parts.push({ field: 'sentiment', op: 'lt', value: 0 });
    if (toggles.includes('unassigned')) parts.push({ field: 'assigneeId', op: 'isEmpty' });
    if (toggles.includes('mine') && me.data?.user)
      parts.push({ field: 'assigneeId', op: 'eq', value: me.data.user.id });
    return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { and: parts };
  }, [network, toggles, me.data]);
  const key = JSON.stringify(filter ?? null);
  const inbox = useQuery({ queryKey: socialKeys.list(key), queryFn: ({ signal }) => listInbox(filter, signal) });
  // The open conversation stays open when an assignment takes it out of a filtered list.
  const open = inbox.data?.find((m) => m.id === selected?.id) ?? selected;
  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Social inbox</Title>
        <AnchorLink to="/social/dashboard" {...TAPPABLE}>
          Brand dashboard
        </AnchorLink>
      </Group>
      <Group gap="sm" wrap="wrap" align="center">
        <Select
          label="Network"
          data={NETWORKS}
          value={network}
          onChange={(v) => setNetwork(v ?? '')}
          allowDeselect={false}
          size="md"
          w={180}
        />
        <Chip.Group multiple value={toggles} onChange={(v) => setToggles(v as Toggle[])}>
          <Group gap="xs" aria-label="Show only">
            <Chip value="unread" size="md" styles={TALL}>
              Unread
            </Chip>
            <Chip value="negative" size="md" styles={TALL}>
              Negative
            </Chip>
            <Chip value="unassigned" size="md" styles={TALL}>
              Unassigned
            </Chip>
            <Chip value="mine" size="md" styles={TALL}>
              Mine
            </Chip>
          </Group>
        </Chip.Group>
      </Group>
      {inbox.isError && (
        <Alert color="red" role="alert">
          The inbox could not be loaded.
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <SocialList
            messages={inbox.data ?? []}
            selected={selected?.id ?? null}
            onSelect={(id) => setSelected(inbox.data?.find((m) => m.id === id) ?? null)}
            loading={inbox.isPending}
            canWork={canWork}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {open ? (
            <SocialThread key={open.id} message={open} canWork={canWork} />
          ) : (
            <Text c="dimmed">Pick a conversation to read or answer it.</Text>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
