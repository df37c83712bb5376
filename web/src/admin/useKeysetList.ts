import { useInfiniteQuery } from '@tanstack/react-query';

/**
 * Pages of an admin list endpoint (`{items, next_cursor}`) for a filter, with the props DataTable
 * takes. `fetchPage` asks the typed client for one page after `cursor`.
 */
export function useKeysetList<T>(
  queryKey: readonly unknown[],
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>,
) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam ?? undefined),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  return {
    rows: query.data?.pages.flatMap((p) => p.items),
    loading: query.isPending,
    error: query.error,
    more: {
      has: query.hasNextPage,
      loading: query.isFetchingNextPage,
      load: () => void query.fetchNextPage(),
    },
  };
}

/** A filter without its empty fields. */
export function setOnly<F extends Record<string, string | undefined>>(filter: F): Partial<F> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) as Partial<F>;
}
