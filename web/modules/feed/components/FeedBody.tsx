import { Text } from '@mantine/core';
import { AnchorLink } from '../../../ui/links';
import type { ObjectMeta } from '../../objects/api/objects.api';
import type { FeedEntry } from '../api/feed.api';
import { feedBodyParts } from '../utils/feed-body';

/** A message or comment: people in bold, mentioned records as links (or "a restricted …"). */
export function FeedBody({ entry, objects }: { entry: FeedEntry; objects: ObjectMeta[] }) {
  if (!entry.body) return null;
  const restricted = new Set(
    (entry.recordMentions ?? []).filter((m) => m.title === null).map((m) => `${m.object}:${m.id}`),
  );
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {feedBodyParts(entry.body, restricted).map((p) => {
        if ('text' in p) return <span key={p.at}>{p.text}</span>;
        if ('person' in p)
          return (
            <Text key={p.at} span fw={600} c="violet.8">
              @{p.person.name}
            </Text>
          );
        const { object, id, title } = p.record;
        if (p.record.restricted) {
          const label = objects.find((o) => o.name === object)?.label.toLowerCase() ?? 'record';
          return (
            <Text key={p.at} span c="dimmed">
              a restricted {label}
            </Text>
          );
        }
        return (
          <AnchorLink key={p.at} to="/$object/$id" params={{ object, id }} fw={600}>
            {title}
          </AnchorLink>
        );
      })}
    </Text>
  );
}
