import { Text } from '@mantine/core';
import type { FieldMeta } from '../../objects/api/objects.api';
import { usePeople } from '../hooks/usePeople';

/** The name of the member (or team) a `user` field holds. */
export function PersonName({ field, id }: { field: FieldMeta; id: string }) {
  const { options } = usePeople(field);
  return (
    <Text span inherit>
      {options.find((o) => o.value === id)?.label ?? `${field.label} ${id.slice(-6)}`}
    </Text>
  );
}
