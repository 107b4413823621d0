import { useQuery } from '@tanstack/react-query';
import { pipelinesQuery } from '../api/sales.api';

/** The workspace's pipelines with their stages in order (default first). */
export function usePipelines() {
  return useQuery(pipelinesQuery);
}
