import { useMutation, useQueryClient } from '@tanstack/react-query';
import { recordKeys } from '../../records/api/record-keys';
import { type RecordData, updateRecord } from '../../records/api/records.api';
import { salesKeys } from '../api/sales.api';
import { boardKey } from './usePipelineOpportunities';

interface Move {
  record: RecordData;
  stageId: string;
  lostReason?: string;
}

type Board = { records: RecordData[]; hasMore: boolean };

/**
 * Moves an opportunity to another stage: the card moves at once, the PATCH carries
 * If-Match, and on a refusal (412 someone changed it, 422 a rule) the card goes back
 * and the caller gets the API's message.
 */
export function useMoveOpportunity(pipelineId: string) {
  const queryClient = useQueryClient();
  const key = boardKey(pipelineId);
  return useMutation({
    mutationFn: ({ record, stageId, lostReason }: Move) =>
      updateRecord(
        'opportunities',
        record.id,
        { stageId, ...(lostReason ? { lostReason } : {}) },
        `"${record.version}"`,
      ),
    onMutate: async ({ record, stageId }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<Board>(key);
      queryClient.setQueryData<Board>(key, (b) =>
        b ? { ...b, records: b.records.map((r) => (r.id === record.id ? { ...r, stageId } : r)) } : b,
      );
      return { before };
    },
    onError: (_err, _move, ctx) => {
      if (ctx?.before) queryClient.setQueryData(key, ctx.before);
    },
    onSuccess: (saved) => {
      queryClient.setQueryData<Board>(key, (b) =>
        b
          ? {
              ...b,
              records: b.records.map((r) => (r.id === saved.data.id ? { ...saved.data, account: r.account } : r)),
            }
          : b,
      );
    },
    onSettled: async (_d, _e, move) => {
      await queryClient.invalidateQueries({ queryKey: recordKeys.one('opportunities', move.record.id) });
      await queryClient.invalidateQueries({ queryKey: salesKeys.history(move.record.id) });
      await queryClient.invalidateQueries({ queryKey: ['sales', 'deals'] });
      await queryClient.invalidateQueries({ queryKey: ['sales', 'deal-stats'] });
    },
  });
}
