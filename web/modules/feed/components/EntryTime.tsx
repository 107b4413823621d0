import { Text } from '@mantine/core';
import { formatDateTime, relativeTime } from '../../timeline/utils/relative-time';

/** "3 hours ago", with the exact time on hover. */
export function EntryTime({ at }: { at: string }) {
  return (
    <Text span size="xs" c="dimmed" title={formatDateTime(at)}>
      <time dateTime={at}>{relativeTime(at)}</time>
    </Text>
  );
}
