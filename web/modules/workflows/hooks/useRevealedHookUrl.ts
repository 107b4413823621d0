import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Workflow } from '../api/workflows.api';

// Outside the ['workflows'] keys, so refreshing the workflow does not drop it.
const key = (id: string) => ['workflow-hook-url', id] as const;

/**
 * The inbound hook address the server showed in its last answer for this workflow
 * (creation, change to a webhook trigger, rotation): it keeps only a hash, so this
 * browser's memory is the one place the address is until it is dismissed.
 */
export function useRevealedHookUrl(id: string) {
  const client = useQueryClient();
  const { data } = useQuery<string | null>({
    queryKey: key(id),
    queryFn: () => null,
    enabled: false,
    staleTime: Infinity,
  });
  return { url: data ?? null, dismiss: () => client.removeQueries({ queryKey: key(id) }) };
}

/** Keeps the address of an answer that carries one, for useRevealedHookUrl. */
export function rememberHookUrl(client: QueryClient, w: Workflow) {
  if (w.hookUrl) client.setQueryData<string | null>(key(w.id), w.hookUrl);
}
