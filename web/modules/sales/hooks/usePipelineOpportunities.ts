import { useQuery } from '@tanstack/react-query';
import { recordKeys } from '../../records/api/record-keys';
import { listRecords, type RecordData } from '../../records/api/records.api';

/** How many cards a board shows per pipeline (the API's page limit). */
export const BOARD_LIMIT = 500;

export const boardKey = (pipelineId: string) => [...recordKeys.all('opportunities'), 'board', pipelineId] as const;

/** The opportunities of one pipeline with their accounts, for the board. */
export function usePipelineOpportunities(pipelineId: string | null) {
  return useQuery({
    queryKey: boardKey(pipelineId ?? ''),
    enabled: !!pipelineId,
    queryFn: async ({ signal }) => {
      const page = await listRecords(
        'opportunities',
        {
          filter: { field: 'pipelineId', op: 'eq', value: pipelineId },
          sort: 'expectedCloseDate',
          limit: BOARD_LIMIT,
          include: ['account'],
        },
        signal,
      );
      return { records: page.data as RecordData[], hasMore: page.page.hasMore };
    },
  });
}
