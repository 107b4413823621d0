import { Group, Select } from '@mantine/core';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { groupFields, sumFields } from '../utils/board';

interface Props {
  meta: ObjectMeta;
  groupBy: string;
  sum?: string;
  onChange: (next: { groupBy: string; sum?: string }) => void;
}

/** Which select field makes the columns, and which money or number field is totalled per column. */
export function BoardSettings({ meta, groupBy, sum, onChange }: Props) {
  const groups = groupFields(meta).map((f) => ({ value: f.name, label: f.label }));
  const sums = sumFields(meta).map((f) => ({ value: f.name, label: f.label }));
  return (
    <Group gap="xs" wrap="nowrap" data-testid="board-settings" maw={440}>
      <Select
        label="Columns by"
        size="sm"
        flex="1 1 0"
        miw={0}
        data={groups}
        value={groupBy}
        allowDeselect={false}
        onChange={(v) => v && onChange({ groupBy: v, sum })}
        styles={{ input: { minHeight: 40 } }}
      />
      <Select
        label="Total"
        size="sm"
        flex="1 1 0"
        miw={0}
        data={sums}
        value={sum ?? null}
        placeholder="Count only"
        clearable
        onChange={(v) => onChange({ groupBy, sum: v ?? undefined })}
        styles={{ input: { minHeight: 40 } }}
      />
    </Group>
  );
}
