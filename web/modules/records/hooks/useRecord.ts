import { useQuery } from '@tanstack/react-query';
import { recordKeys } from '../api/record-keys';
import { getRecord } from '../api/records.api';

/** One record with its ETag, and the related records named in `include`. */
export function useRecord(object: string, id: string, include: string[] = []) {
  return useQuery({
    queryKey: [...recordKeys.one(object, id), include],
    queryFn: ({ signal }) => getRecord(object, id, include, signal),
  });
}
