import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { previewSegment, type SegmentPreviewInput, segmentKeys } from '../api/segments.api';

/** The live count and sample of the filter being edited, asked 400 ms after the last change. */
export function useSegmentPreview(input: SegmentPreviewInput | null) {
  const [debounced] = useDebouncedValue(input, 400);
  return useQuery({
    queryKey: debounced ? segmentKeys.preview(debounced) : ['segments', 'preview', 'none'],
    queryFn: ({ signal }) => previewSegment(debounced as SegmentPreviewInput, signal),
    enabled: !!debounced,
    placeholderData: keepPreviousData,
    retry: false,
  });
}
