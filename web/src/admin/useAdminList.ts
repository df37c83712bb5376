import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

/** One unpaged admin list, with the props DataTable takes (`{...list}`). */
export function useAdminList<T>(queryKey: readonly unknown[], fetch: () => Promise<T[]>) {
  const query = useQuery({ queryKey, queryFn: fetch });
  return { rows: query.data, loading: query.isPending, error: query.error };
}

/** A change to one row of a list (revoke, delete, switch); the list is fetched again after it. */
export function useRowAction<R>(
  listKey: readonly unknown[],
  action: (row: R) => Promise<unknown>,
  onSuccess?: () => void,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess,
    onSettled: () => client.invalidateQueries({ queryKey: listKey }),
  });
}
