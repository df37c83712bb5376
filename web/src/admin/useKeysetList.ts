import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../api/api';
import type { Page } from './types';

/** Pages of an admin list endpoint for a filter, with the props DataTable takes. */
export function useKeysetList<T>(path: string, filter: Record<string, string | undefined>) {
  const query = useInfiniteQuery({
    queryKey: ['admin', path, filter],
    queryFn: ({ pageParam }) => {
      const params = queryString(filter);
      if (pageParam) params.set('cursor', pageParam);
      return api<Page<T>>(`${path}?${params}`);
    },
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

export function queryString(filter: Record<string, string | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
  return params;
}
