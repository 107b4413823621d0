import { Anchor, Button, Group, Paper, Radio, Skeleton, Stack, Text } from '@mantine/core';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { RecordPicker } from '../../records/components/RecordPicker';
import { type ConversionMatch, REASON_LABELS } from '../api/conversion-matches';

/** Where a conversion lands for one object: an existing match, a new record, another record the rep picks, or none. */
export type TargetChoice =
  | { kind: 'match'; id: string }
  | { kind: 'new' }
  | { kind: 'other'; id: string | null }
  | { kind: 'none' };

/** What the server does by itself: link the first strong match, else create (when the lead has something to create from). */
export function defaultChoice(candidates: ConversionMatch[], canCreate: boolean): TargetChoice {
  const strong = candidates.find((c) => c.strong);
  if (strong) return { kind: 'match', id: strong.id };
  return canCreate ? { kind: 'new' } : { kind: 'none' };
}

const reasonsText = (m: ConversionMatch) => m.reasons.map((r) => REASON_LABELS[r]).join(', ');

const keyOf = (c: TargetChoice) => (c.kind === 'match' ? `match:${c.id}` : c.kind);

interface Props {
  meta: ObjectMeta;
  loading: boolean;
  /** Existing records the conversion could link, best first. */
  candidates: ConversionMatch[];
  /** What a new record would be called ("" when the lead has nothing to create one from). */
  newLabel: string;
  /** Whether a new record may be created beside the matches (a contact's email is unique: not when one matches). */
  allowNew: boolean;
  choice: TargetChoice;
  onChoose: (choice: TargetChoice) => void;
}

/**
 * One record a conversion lands on: a sentence saying what will happen, the likely
 * matches with their reasons to pick from (or a new record), or any other record.
 */
export function ConversionTarget({ meta, loading, candidates, newLabel, allowNew, choice, onChoose }: Props) {
  const testId = `convert-${meta.singular}`;
  const matched = choice.kind === 'match' ? candidates.find((c) => c.id === choice.id) : undefined;
  const canNew = allowNew && !!newLabel;
  return (
    <Paper withBorder radius="md" p="sm" data-testid={testId}>
      <Stack gap={6}>
        <Text size="xs" fw={700} c="dimmed" tt="uppercase">
          {meta.label}
        </Text>
        {loading ? (
          <Skeleton h={20} />
        ) : matched ? (
          <Text size="sm" data-testid={`${testId}-summary`}>
            Links to the existing {meta.singular}{' '}
            <Anchor href={`/${meta.name}/${matched.id}`} target="_blank" fw={600}>
              {matched.title}
            </Anchor>{' '}
            ({reasonsText(matched)})
          </Text>
        ) : choice.kind === 'other' ? (
          <Text size="sm" data-testid={`${testId}-summary`}>
            Links to the {meta.singular} you choose below.
          </Text>
        ) : choice.kind === 'new' && newLabel ? (
          <Text size="sm" data-testid={`${testId}-summary`}>
            Creates a new {meta.singular} <b>{newLabel}</b>
          </Text>
        ) : (
          <Text size="sm" data-testid={`${testId}-summary`}>
            No {meta.singular}: the lead names no company.
          </Text>
        )}
        {!loading && candidates.length > 0 && (
          <Radio.Group
            label={`Likely ${meta.labelPlural.toLowerCase()}`}
            size="sm"
            value={keyOf(choice)}
            onChange={(v) =>
              onChoose(
                v === 'new'
                  ? { kind: 'new' }
                  : v === 'other'
                    ? { kind: 'other', id: null }
                    : { kind: 'match', id: v.slice('match:'.length) },
              )
            }
          >
            <Stack gap={6} mt={4}>
              {candidates.map((c) => (
                <Radio
                  key={c.id}
                  value={`match:${c.id}`}
                  label={`${c.title}${c.subtitle ? ` (${c.subtitle})` : ''}`}
                  description={`${reasonsText(c)} · ${Math.round(c.score * 100)} % sure`}
                />
              ))}
              {canNew && <Radio value="new" label={`A new ${meta.singular}: ${newLabel}`} />}
              <Radio value="other" label={`Another ${meta.singular}…`} />
            </Stack>
          </Radio.Group>
        )}
        {choice.kind === 'other' && (
          <RecordPicker
            target={meta}
            label={`Link to ${meta.singular}`}
            value={choice.id}
            onChange={(id) => onChoose({ kind: 'other', id })}
          />
        )}
        {!loading && candidates.length === 0 && (
          <Group>
            <Button
              variant="subtle"
              size="compact-sm"
              mih={40}
              onClick={() =>
                onChoose(choice.kind === 'other' ? defaultChoice([], canNew) : { kind: 'other', id: null })
              }
            >
              {choice.kind === 'other'
                ? canNew
                  ? `Create a new ${meta.singular}`
                  : `Link no ${meta.singular}`
                : `Choose another ${meta.singular}`}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
