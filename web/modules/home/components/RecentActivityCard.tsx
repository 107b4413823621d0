import { Anchor, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { relativeTime } from '../../timeline/utils/relative-time';
import { feedPreviewQuery } from '../api/feed-preview.api';
import { CardError } from './CardError';
import { HomeCardFrame } from './HomeCardFrame';

/**
 * The workspace's latest activity (the feed, as far as the caller may see it). Hidden
 * while the feed endpoint does not exist (the feed and its /feed page come together).
 */
export function RecentActivityCard() {
  const feed = useQuery(feedPreviewQuery);
  if (feed.isPending || feed.data === null) return null;
  return (
    <HomeCardFrame
      id="activity"
      title="Recent activity"
      action={
        // A plain link: the /feed route is registered by the feed's own module.
        <Anchor href="/feed" size="sm" display="inline-flex" mih={40} style={{ alignItems: 'center' }}>
          The whole feed
        </Anchor>
      }
    >
      {feed.isError ? (
        <CardError error={feed.error} />
      ) : feed.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing has happened yet that you can see. New deals, contacts, leads and colleagues’ messages appear here.
        </Text>
      ) : (
        <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
          {feed.data.map((e) => (
            <li key={e.id}>
              <Text size="sm">{e.summary ?? e.text ?? 'Activity'}</Text>
              <Text size="xs" c="dimmed">
                {[e.actor?.name, relativeTime(e.createdAt)].filter(Boolean).join(' · ')}
              </Text>
            </li>
          ))}
        </Stack>
      )}
    </HomeCardFrame>
  );
}
