import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { BALANCE_KEY, useModels, type Balance } from '../api/credits';
import { mcpSocket } from '../api/socket';
import { history, threadReducer, type ThreadMessage } from '../chat/thread';
import { Markdown } from '../chat/Markdown';
import { formatCredits } from '../components/format';

interface Ack {
  ok: boolean;
  code?: string;
  message?: string;
}

export default function ChatPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const models = useModels();
  const [model, setModel] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [messages, dispatch] = useReducer(threadReducer, []);
  const [running, setRunning] = useState<string | null>(null);
  const bottom = useRef<HTMLDivElement>(null);

  const available = useMemo(() => (models.data ?? []).filter((m) => m.available), [models.data]);
  const chosen = available.find((m) => m.id === model) ?? available[0];

  useEffect(() => {
    const socket = mcpSocket();
    const onChunk = (e: { requestId: string; index: number; delta: string }) =>
      dispatch({ type: 'chunk', ...e });
    const onEnd = (e: { requestId: string; model: string; cost: string; balance: string }) => {
      dispatch({ type: 'end', ...e });
      setRunning((r) => (r === e.requestId ? null : r));
      client.setQueryData<Balance>(BALANCE_KEY, (old) =>
        old ? { ...old, balance: e.balance } : old,
      );
      void client.invalidateQueries({ queryKey: BALANCE_KEY });
    };
    const onError = (e: { requestId: string; code: string; message: string; cost?: string }) => {
      dispatch({ type: 'error', ...e });
      setRunning((r) => (r === e.requestId ? null : r));
    };
    socket.on('chat:chunk', onChunk);
    socket.on('chat:end', onEnd);
    socket.on('chat:error', onError);
    return () => {
      socket.off('chat:chunk', onChunk);
      socket.off('chat:end', onEnd);
      socket.off('chat:error', onError);
    };
  }, [client]);

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [messages]);

  const send = (event: React.FormEvent) => {
    event.preventDefault();
    const content = text.trim();
    if (!content || !chosen || running) return;
    const requestId = crypto.randomUUID();
    const turns = [...history(messages), { role: 'user' as const, content }];
    dispatch({ type: 'sent', requestId, text: content, model: chosen.id });
    setRunning(requestId);
    setText('');
    mcpSocket().emit('chat:start', { requestId, model: chosen.id, messages: turns }, (ack: Ack) => {
      if (!ack.ok) {
        dispatch({
          type: 'error',
          requestId,
          code: ack.code ?? 'INTERNAL',
          message: ack.message ?? '',
        });
        setRunning(null);
      }
    });
  };

  const stop = () => {
    if (running) mcpSocket().emit('chat:cancel', { requestId: running }, () => undefined);
  };

  return (
    <Stack>
      <Title order={1}>{t('chat.title')}</Title>
      <Card withBorder padding="md" radius="md">
        <Select
          label={t('chat.model')}
          data={available.map((m) => ({ value: m.id, label: m.name }))}
          value={chosen?.id ?? null}
          onChange={setModel}
          allowDeselect={false}
          maw={360}
          description={
            chosen
              ? t('chat.perK', {
                  input: formatCredits(chosen.input_price_per_1k, i18n.language),
                  output: formatCredits(chosen.output_price_per_1k, i18n.language),
                })
              : undefined
          }
        />
      </Card>
      <Paper withBorder radius="md" p="md">
        <ScrollArea.Autosize mah="60vh" type="auto">
          <Stack gap="sm" data-testid="thread" aria-live="polite">
            {messages.length === 0 && <Text c="dimmed">{t('chat.empty')}</Text>}
            {messages.map((m) => (
              <MessageView key={m.id} message={m} />
            ))}
            <div ref={bottom} />
          </Stack>
        </ScrollArea.Autosize>
      </Paper>
      <form onSubmit={send}>
        <Stack gap="xs">
          <Textarea
            label={t('chat.placeholder')}
            autosize
            minRows={2}
            maxRows={8}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) send(e);
            }}
          />
          <Group justify="flex-end">
            {running ? (
              <Button color="red" variant="light" onClick={stop}>
                {t('chat.stop')}
              </Button>
            ) : (
              <Button type="submit" disabled={!text.trim() || !chosen}>
                {t('chat.send')}
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

function MessageView({ message }: { message: ThreadMessage }) {
  const { t, i18n } = useTranslation();
  const mine = message.role === 'user';
  return (
    <Paper
      p="sm"
      radius="md"
      bg={mine ? 'var(--mantine-color-default-hover)' : undefined}
      withBorder={!mine}
      data-testid={`message-${message.role}`}
      data-status={message.status}
    >
      <Group justify="space-between" mb={4}>
        <Text size="xs" fw={700}>
          {mine ? t('chat.you') : (message.model ?? t('chat.assistant'))}
        </Text>
        {message.status === 'streaming' && (
          <Badge size="xs" variant="filled">
            …
          </Badge>
        )}
      </Group>
      {mine ? (
        <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{message.content}</Text>
      ) : (
        <Markdown text={message.content} />
      )}
      {message.status === 'stopped' && (
        <Text size="xs" c="dimmed">
          {t('chat.stopped')}
        </Text>
      )}
      {message.error && (
        <Alert color="red" mt="xs" role="alert" data-testid="chat-error">
          {message.error.code === 'INSUFFICIENT_CREDITS' ? (
            <>
              {t('chat.insufficient')}{' '}
              <Anchor component={Link} to="/dashboard#redeem">
                {t('chat.topUp')}
              </Anchor>
            </>
          ) : (
            message.error.message || message.error.code
          )}
        </Alert>
      )}
      {message.cost !== undefined && message.balance !== undefined && (
        <Text size="xs" c="dimmed" mt={4} data-testid="message-cost">
          {t('chat.cost', {
            cost: formatCredits(message.cost, i18n.language),
            balance: formatCredits(message.balance, i18n.language),
          })}
        </Text>
      )}
    </Paper>
  );
}
