import type { ObjectMeta } from '../api/objects.api';
import { useObjects } from './useObjects';

/** One object's metadata by API name, or null when the workspace has no such object. */
export function useObjectMeta(name: string): ObjectMeta | null {
  return useObjects().find((o) => o.name === name) ?? null;
}
