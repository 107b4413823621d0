import { useSuspenseQuery } from '@tanstack/react-query';
import { objectsQuery } from '../api/objects.api';

/** Every object of the workspace (built-in and custom fields), loaded once and shared. */
export function useObjects() {
  return useSuspenseQuery(objectsQuery).data;
}
