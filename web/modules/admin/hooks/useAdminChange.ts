import { useMutation, useQueryClient } from '@tanstack/react-query';

/**
 * A change through the administration API that refreshes what it may have changed:
 * the admin lists, members and teams, object metadata and the caller's own permissions.
 */
export function useAdminChange<TVars, TResult = unknown>(fn: (vars: TVars) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () =>
      Promise.all(
        [['admin'], ['members'], ['teams'], ['objects'], ['me']].map((queryKey) =>
          queryClient.invalidateQueries({ queryKey }),
        ),
      ),
  });
}
