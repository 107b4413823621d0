import { Text } from '@mantine/core';
import { useOnline } from '../../offline/hooks/useOnline';

/** A card's data could not be loaded: the API's reason, or, offline, that it comes back with the network. */
export function CardError({ error }: { error: Error }) {
  const online = useOnline();
  if (!online)
    return (
      <Text size="sm" c="dimmed">
        Shown again when you are back online.
      </Text>
    );
  return (
    <Text size="sm" c="red.8" role="alert">
      {error.message}
    </Text>
  );
}
