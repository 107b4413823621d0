import type { QueryClient } from '@tanstack/react-query';
import type { useNavigate } from '@tanstack/react-router';
import { objectsQuery } from '../../objects/api/objects.api';

/**
 * Where a new member starts: the first object's list (nothing has been viewed yet, so the
 * home page would be empty), or home when the metadata cannot be read.
 */
export async function openFirstList(queryClient: QueryClient, navigate: ReturnType<typeof useNavigate>) {
  const objects = await queryClient.fetchQuery(objectsQuery).catch(() => []);
  const first = objects[0];
  if (first) await navigate({ to: '/$object', params: { object: first.name } });
  else await navigate({ to: '/' });
}
