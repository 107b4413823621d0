import { Text } from '@mantine/core';
import type { FieldMeta } from '../../objects/api/objects.api';
import { usePeople } from '../hooks/usePeople';

/** The name of the member (or team) a `user` field holds. */
export function PersonName({ field, id }: { field: FieldMeta; id: string }) {
  const { options, isLoading } = usePeople(field);
  const gone = field.name === 'teamId' ? 'a deleted team' : 'a former member';
  return (
    <Text span inherit>
      {options.find((o) => o.value === id)?.label ?? (isLoading ? '…' : gone)}
    </Text>
  );
}
