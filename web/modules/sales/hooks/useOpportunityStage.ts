import { useMutation, useQueryClient } from '@tanstack/react-query';
import { recordKeys } from '../../records/api/record-keys';
import { type RecordData, updateRecord } from '../../records/api/records.api';
import { salesKeys } from '../api/sales.api';

/** Changes an opportunity's stage from its page (If-Match: its ETag), refreshing the page, history, board and deals. */
export function useOpportunityStage(record: RecordData, etag: string | null) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ stageId, lostReason }: { stageId: string; lostReason?: string }) =>
      updateRecord('opportunities', record.id, { stageId, ...(lostReason ? { lostReason } : {}) }, etag),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: recordKeys.all('opportunities') });
      await queryClient.invalidateQueries({ queryKey: salesKeys.all });
    },
  });
}
