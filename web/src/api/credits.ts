import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { hub, unwrap, type Schemas } from './client';
import type { CreditsBalanceEvent } from '../../../clients/typescript/src/chat-socket';
import { onMcpSocket } from './socket';

export type Balance = Schemas['BalanceDto'];
export type Model = Schemas['ModelDto'];

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
    queryFn: () => unwrap(hub.GET('/api/credits/balance')),
  });
  useEffect(
    () =>
      onMcpSocket((socket) => {
        const onBalance = (event: CreditsBalanceEvent) => {
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

export function useModels() {
  return useQuery({
    queryKey: ['models'],
    queryFn: async () => (await unwrap(hub.GET('/api/mcp/v1/models'))).models,
    staleTime: 60_000,
  });
}
