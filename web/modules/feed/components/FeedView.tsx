import { Button, Group, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { type InfiniteData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { meQuery } from '../../auth/api/auth.api';
import { useObjects } from '../../objects/hooks/useObjects';
import { membersQuery, teamsQuery } from '../../people/api/people.api';
import { type FeedFilters, type FeedPage, feedKeys, getFeed } from '../api/feed.api';
import { prependEntry, useFeedLive } from '../hooks/useFeedLive';
import { TYPE_FILTERS } from '../utils/feed-filters';
import { FeedComposer } from './FeedComposer';
import { FeedEntryCard } from './FeedEntryCard';

/** The workspace's activity and colleagues' messages, newest first, filtered, live. */
export function FeedView() {
  const objects = useObjects();
  const me = useQuery(meQuery).data;
  const members = useQuery(membersQuery).data ?? [];
  const teams = useQuery(teamsQuery).data ?? [];
  const client = useQueryClient();
  const [type, setType] = useState('');
  const [actorId, setActorId] = useState('');
  const [teamId, setTeamId] = useState('');
  const filters: FeedFilters = useMemo(
    () => ({ type: type || undefined, actorId: actorId || undefined, teamId: teamId || undefined }),
    [type, actorId, teamId],
  );
  useFeedLive(filters);
  const feed = useInfiniteQuery({
    queryKey: feedKeys.list(filters),
    queryFn: ({ pageParam, signal }) => getFeed(filters, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.page.nextCursor ?? undefined,
  });
  const entries = feed.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = !!(type || actorId || teamId);

  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        Feed
      </Title>
      <FeedComposer
        myUserId={me?.user?.id}
        onPosted={(entry) => {
          client.setQueryData<InfiniteData<FeedPage>>(feedKeys.list(filters), (d) => prependEntry(d, entry));
        }}
      />
      <Group gap="sm" wrap="wrap" role="group" aria-label="Filter the feed">
        <NativeSelect label="Show" value={type} onChange={(e) => setType(e.currentTarget.value)} data={TYPE_FILTERS} />
        <NativeSelect
          label="Person"
          value={actorId}
          onChange={(e) => setActorId(e.currentTarget.value)}
          data={[{ value: '', label: 'Everyone' }, ...members.map((m) => ({ value: m.id, label: m.name || m.email }))]}
        />
        {teams.length > 0 && (
          <NativeSelect
            label="Team"
            value={teamId}
            onChange={(e) => setTeamId(e.currentTarget.value)}
            data={[{ value: '', label: 'All teams' }, ...teams.map((t) => ({ value: t.id, label: t.name }))]}
          />
        )}
      </Group>
      {feed.isPending && <Text c="dimmed">Loading…</Text>}
      {feed.isError && (
        <Text c="red.8" role="alert">
          {feed.error.message}
        </Text>
      )}
      {feed.isSuccess && entries.length === 0 && (
        <Text c="dimmed">
          {filtered
            ? 'Nothing matches these filters among what you may see.'
            : 'Nothing here yet: new records, comments and messages you may see will appear as they happen.'}
        </Text>
      )}
      <Stack gap="sm" component="ul" p={0} m={0} data-testid="feed" aria-label="Feed entries">
        {entries.map((e) => (
          <FeedEntryCard
            key={e.id}
            entry={e}
            objects={objects}
            myUserId={me?.user?.id}
            moderator={me?.role === 'administrator'}
          />
        ))}
      </Stack>
      {feed.hasNextPage && (
        <Group justify="center">
          <Button variant="default" h={40} loading={feed.isFetchingNextPage} onClick={() => void feed.fetchNextPage()}>
            Show more
          </Button>
        </Group>
      )}
    </Stack>
  );
}
