import { type InfiniteData, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { type RecordData, type RecordPage, updateRecord } from '../../records/api/records.api';
import { recordTitle } from '../../records/utils/fields';
import type { Aggregate } from '../api/aggregate.api';
import { boardKeys } from './useBoard';

interface Move {
  record: RecordData;
  from: string | null;
  to: string | null;
}

type Pages = InfiniteData<RecordPage, string | undefined>;

/**
 * Moves a card to another column: shown at once, saved with PATCH and If-Match, and put
 * back with an explanation when the API refuses (412 someone changed it, 422 invalid).
 */
export function useMoveCard(meta: ObjectMeta, groupBy: string) {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const object = meta.name;

  const mutation = useMutation({
    mutationFn: ({ record, to }: Move) => updateRecord(object, record.id, { [groupBy]: to }, `"${record.version}"`),
    onMutate: async ({ record, from, to }: Move) => {
      setMessage(null);
      await queryClient.cancelQueries({ queryKey: boardKeys.columns(object) });
      await queryClient.cancelQueries({ queryKey: ['records', object, 'aggregate'] });
      const snapshot = [
        ...queryClient.getQueriesData({ queryKey: boardKeys.columns(object) }),
        ...queryClient.getQueriesData({ queryKey: ['records', object, 'aggregate'] }),
      ];
      const moved = { ...record, [groupBy]: to };
      for (const [key, data] of queryClient.getQueriesData<Pages>({ queryKey: boardKeys.columns(object) })) {
        const p = key[3] as { groupBy: string; value: string | null } | undefined;
        if (!data || p?.groupBy !== groupBy) continue;
        const pages = data.pages.map((page) => ({ ...page, data: page.data.filter((r) => r.id !== record.id) }));
        if (p.value === to && pages[0]) pages[0] = { ...pages[0], data: [moved, ...pages[0].data] };
        queryClient.setQueryData<Pages>(key, { ...data, pages });
      }
      for (const [key, data] of queryClient.getQueriesData<Aggregate>({ queryKey: ['records', object, 'aggregate'] })) {
        if (!data || data.groupBy !== groupBy) continue;
        const groups = data.groups.map((g) =>
          g.value === from ? { ...g, count: g.count - 1 } : g.value === to ? { ...g, count: g.count + 1 } : g,
        );
        queryClient.setQueryData<Aggregate>(key, { ...data, groups });
      }
      return { snapshot };
    },
    onError: (err, { record }, context) => {
      for (const [key, data] of context?.snapshot ?? []) queryClient.setQueryData(key, data);
      const title = recordTitle(meta, record);
      if (err instanceof ApiError && err.status === 412) {
        setMessage(
          `“${title}” was changed by someone else since the board loaded, so it was not moved. The board now shows the latest version.`,
        );
      } else if (err instanceof ApiError && err.errors.length) {
        setMessage(`“${title}” could not be moved: ${err.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
      } else {
        setMessage(`“${title}” could not be moved: ${err instanceof ApiError ? err.message : 'please try again'}`);
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['records', object] }),
  });

  return {
    move: (m: Move) => {
      if (m.from !== m.to) mutation.mutate(m);
    },
    message,
    dismiss: () => setMessage(null),
  };
}
