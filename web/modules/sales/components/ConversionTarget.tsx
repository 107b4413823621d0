import { Anchor, Button, Group, Paper, Skeleton, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../../records/api/records.api';
import { RecordPicker } from '../../records/components/RecordPicker';
import { recordTitle } from '../../records/utils/fields';

interface Props {
  meta: ObjectMeta;
  loading: boolean;
  /** The record the server would link by itself. */
  match: RecordData | null;
  matchedBy: string;
  /** What a new record would be called. */
  newLabel: string;
  chosen: string | null;
  onChoose: (id: string | null) => void;
}

/** One record a conversion lands on: the matched one, a new one, or one the user picks. */
export function ConversionTarget({ meta, loading, match, matchedBy, newLabel, chosen, onChoose }: Props) {
  const [picking, setPicking] = useState(false);
  const testId = `convert-${meta.singular}`;
  return (
    <Paper withBorder radius="md" p="sm" data-testid={testId}>
      <Stack gap={6}>
        <Text size="xs" fw={700} c="dimmed" tt="uppercase">
          {meta.label}
        </Text>
        {loading ? (
          <Skeleton h={20} />
        ) : picking ? (
          <RecordPicker target={meta} label={`Link to ${meta.singular}`} value={chosen} onChange={onChoose} />
        ) : match ? (
          <Text size="sm">
            Links to the existing {meta.singular}{' '}
            <Anchor href={`/${meta.name}/${match.id}`} target="_blank" fw={600}>
              {recordTitle(meta, match)}
            </Anchor>{' '}
            ({matchedBy})
          </Text>
        ) : !newLabel ? (
          <Text size="sm">No {meta.singular}: the lead names no company.</Text>
        ) : (
          <Text size="sm">
            Creates a new {meta.singular}
            {newLabel ? (
              <>
                {' '}
                <b>{newLabel}</b>
              </>
            ) : null}
          </Text>
        )}
        <Group>
          <Button
            variant="subtle"
            size="compact-sm"
            mih={40}
            onClick={() => {
              if (picking) onChoose(null);
              setPicking(!picking);
            }}
          >
            {picking ? (match ? 'Use the match' : `Create a new ${meta.singular}`) : `Choose another ${meta.singular}`}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
