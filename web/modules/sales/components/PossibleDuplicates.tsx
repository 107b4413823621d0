import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { AnchorLink } from '../../../ui/links';
import { can, type ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../../records/api/records.api';
import { getDuplicatesOf, salesKeys } from '../api/sales.api';
import { DUPLICATE_REASONS, sureness } from '../utils/duplicate-reasons';
import { MergeDialog } from './MergeDialog';
import { ToneBadge } from './ToneBadge';

/**
 * Records that look like this one (API duplicate detection) with their reasons and how
 * sure the match is: strong ones with a one-click Merge, weaker ones with Compare (the
 * same dialog, with a caution); plus Merge with any other.
 */
export function PossibleDuplicates({ meta, record }: { meta: ObjectMeta; record: RecordData }) {
  const dups = useQuery({
    queryKey: [...salesKeys.duplicates(meta.name, record.id), record.version],
    queryFn: ({ signal }) => getDuplicatesOf(meta.name, record.id, signal),
  });
  const [merging, setMerging] = useState<{ otherId: string | null; caution?: string } | null>(null);
  const mayMerge = can(meta, 'update') && can(meta, 'delete');
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-label="Possible duplicates">
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="h5">
          Possible duplicates
        </Title>
        {mayMerge && (
          <Button variant="subtle" size="compact-sm" mih={40} onClick={() => setMerging({ otherId: null })}>
            Merge…
          </Button>
        )}
      </Group>
      {dups.isPending ? (
        <Text size="sm" c="dimmed">
          Looking…
        </Text>
      ) : dups.isError ? (
        <Text size="sm" c="red.8">
          {dups.error.message}
        </Text>
      ) : dups.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          None found.
        </Text>
      ) : (
        <Stack gap={4} component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
          {dups.data.map((d) => (
            <Group component="li" key={d.id} justify="space-between" wrap="nowrap" gap="xs" mih={40}>
              <Stack gap={0} style={{ minWidth: 0 }}>
                <AnchorLink to="/$object/$id" params={{ object: meta.name, id: d.id }} size="sm" truncate>
                  {d.title}
                </AnchorLink>
                <Group gap={4}>
                  {d.reasons.map((r) => (
                    <ToneBadge key={r} size="xs" tone={d.strong ? 'blue' : 'gray'}>
                      {DUPLICATE_REASONS[r]}
                    </ToneBadge>
                  ))}
                  <Text size="xs" c="dimmed">
                    {sureness(d)}
                  </Text>
                </Group>
              </Stack>
              {mayMerge &&
                (d.strong ? (
                  <Button variant="default" size="compact-sm" mih={40} onClick={() => setMerging({ otherId: d.id })}>
                    Merge
                  </Button>
                ) : (
                  <Button
                    variant="subtle"
                    size="compact-sm"
                    mih={40}
                    onClick={() =>
                      setMerging({
                        otherId: d.id,
                        caution: `Only ${d.reasons.map((r) => DUPLICATE_REASONS[r]).join(' and ')}: check that both are the same ${meta.singular} before merging.`,
                      })
                    }
                  >
                    Compare
                  </Button>
                ))}
            </Group>
          ))}
        </Stack>
      )}
      {merging && (
        <MergeDialog
          meta={meta}
          record={record}
          otherId={merging.otherId}
          caution={merging.caution}
          opened
          onClose={() => setMerging(null)}
        />
      )}
    </Card>
  );
}
