import { Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../../ui/links';
import { relativeTime } from '../../timeline/utils/relative-time';
import { feedPreviewQuery } from '../api/feed-preview.api';
import { CardError } from './CardError';
import { HomeCardFrame } from './HomeCardFrame';

/** The workspace's latest activity (the feed, as far as the caller may see it). */
export function RecentActivityCard() {
  const feed = useQuery(feedPreviewQuery);
  if (feed.isPending) return null;
  return (
    <HomeCardFrame
      id="activity"
      title="Recent activity"
      action={
        <AnchorLink to="/feed" size="sm" display="inline-flex" mih={40} style={{ alignItems: 'center' }}>
          The whole feed
        </AnchorLink>
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
              <Text size="sm">{e.summary}</Text>
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
