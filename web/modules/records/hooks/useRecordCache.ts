import { type InfiniteData, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { RecordData, RecordPage } from '../api/records.api';

/**
 * Puts a saved record into every loaded list of its object in place (keeping the
 * relations the list embedded), so an inline edit shows at once without reloading
 * and re-sorting the list under the user's eyes.
 */
export function useRecordCache(object: string) {
  const queryClient = useQueryClient();
  return useCallback(
    (saved: RecordData) => {
      queryClient.setQueriesData<InfiniteData<RecordPage>>({ queryKey: ['records', object, 'list'] }, (data) =>
        data
          ? {
              ...data,
              pages: data.pages.map((p) => ({
                ...p,
                data: p.data.map((r) => (r.id === saved.id ? { ...r, ...saved } : r)),
              })),
            }
          : data,
      );
      void queryClient.invalidateQueries({ queryKey: ['records', object, 'one', saved.id] });
      void queryClient.invalidateQueries({ queryKey: ['records', object, 'aggregate'] });
    },
    [queryClient, object],
  );
}
