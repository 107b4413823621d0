import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createView,
  deleteView,
  listViews,
  updateView,
  type ViewCreate,
  type ViewUpdate,
  viewKeys,
} from '../api/views.api';

/** An object's saved views (mine and shared) with create, update and delete that refresh the list. */
export function useSavedViews(object: string) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: viewKeys.list(object), queryFn: ({ signal }) => listViews(object, signal) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: viewKeys.list(object) });
  const create = useMutation({ mutationFn: (body: ViewCreate) => createView(body), onSuccess: refresh });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: ViewUpdate }) => updateView(id, body),
    onSuccess: refresh,
  });
  const remove = useMutation({ mutationFn: (id: string) => deleteView(id), onSuccess: refresh });
  return { views: query.data ?? [], query, create, update, remove };
}
