import { Alert, Group, Stack, Text } from '@mantine/core';
import { AnchorLink } from '../../../ui/links';
import type { Duplicate } from '../api/sales.api';
import { DUPLICATE_REASONS, sureness } from '../utils/duplicate-reasons';
import { READABLE_ALERT } from './readable-alert';
import { ToneBadge } from './ToneBadge';

/** The records the API found that look like the one being created, with links to them. */
export function DuplicateWarning({ duplicates }: { duplicates: Duplicate[] }) {
  if (duplicates.length === 0) return null;
  return (
    <Alert styles={READABLE_ALERT} color="yellow" title="Possible duplicates" data-testid="duplicate-warning">
      <Stack gap={4} component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
        {duplicates.map((d) => (
          <Group component="li" key={`${d.object}-${d.id}`} gap="xs" mih={40} wrap="wrap">
            <AnchorLink to="/$object/$id" params={{ object: d.object, id: d.id }} fw={600} c="blue.9" target="_blank">
              {d.title}
            </AnchorLink>
            {d.subtitle && (
              <Text size="sm" c="dimmed">
                {d.subtitle}
              </Text>
            )}
            {d.reasons.map((r) => (
              <ToneBadge key={r} tone={d.strong ? 'orange' : 'gray'} size="sm">
                {DUPLICATE_REASONS[r]}
              </ToneBadge>
            ))}
            <Text size="sm" c="dimmed">
              {sureness(d)}
            </Text>
          </Group>
        ))}
      </Stack>
    </Alert>
  );
}
