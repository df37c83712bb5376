import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from './api';
import { onMcpSocket } from './socket';

export interface Balance {
  balance: string;
  available: string;
  held: string;
}

export interface LedgerRow {
  id: string;
  type: string;
  service: string | null;
  amount: string;
  balance_before: string;
  balance_after: string;
  metadata: Record<string, unknown>;
  created_at: string;
}

export interface LedgerPage {
  items: LedgerRow[];
  next_cursor: string | null;
}

export interface Model {
  id: string;
  name: string;
  provider: string;
  input_price_per_1k: string;
  output_price_per_1k: string;
  available: boolean;
}

export const BALANCE_KEY = ['credits', 'balance'] as const;

/**
 * The balance, fetched once and then kept current by `credits:balance` on the socket: every
 * change of the ledger (a deduct over REST, a chat, a top-up) reaches the screen without a reload.
 */
export function useLiveBalance() {
  const client = useQueryClient();
  const [live, setLive] = useState(false);
  const query = useQuery({
    queryKey: BALANCE_KEY,
    queryFn: () => api<Balance>('/api/credits/balance'),
  });
  useEffect(
    () =>
      onMcpSocket((socket) => {
        const onBalance = (event: Partial<Balance>) => {
          client.setQueryData<Balance>(BALANCE_KEY, (old) => ({
            ...(old as Balance),
            ...pick(event),
          }));
        };
        const onConnect = () => {
          setLive(true);
          // Whatever changed while the socket was away.
          void client.invalidateQueries({ queryKey: BALANCE_KEY });
        };
        const onDisconnect = () => setLive(false);
        socket.on('credits:balance', onBalance);
        socket.on('connect', onConnect);
        socket.on('disconnect', onDisconnect);
        if (socket.connected) setLive(true);
        return () => {
          socket.off('credits:balance', onBalance);
          socket.off('connect', onConnect);
          socket.off('disconnect', onDisconnect);
        };
      }),
    [client],
  );
  return { ...query, live };
}

function pick(event: Partial<Balance>): Partial<Balance> {
  const out: Partial<Balance> = {};
  for (const key of ['balance', 'available', 'held'] as const) {
    if (typeof event[key] === 'string') out[key] = event[key];
  }
  return out;
}

/** Model prices arrive as decimal strings. */
export function normaliseModel(raw: Record<string, unknown>): Model {
  return {
    id: String(raw.id),
    name: String(raw.name ?? raw.id),
    provider: String(raw.provider ?? ''),
    input_price_per_1k: String(raw.input_price_per_1k ?? '0'),
    output_price_per_1k: String(raw.output_price_per_1k ?? '0'),
    available: raw.available !== false,
  };
}

export function useModels() {
  return useQuery({
    queryKey: ['models'],
    queryFn: async () =>
      (await api<{ models: Record<string, unknown>[] }>('/api/mcp/v1/models')).models.map(
        normaliseModel,
      ),
    staleTime: 60_000,
  });
}
