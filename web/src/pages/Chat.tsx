import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { hub, unwrap, type Schemas } from '../api/client';
import { BALANCE_KEY, useModels, type Balance } from '../api/credits';
import { mcpSocket, onMcpSocket } from '../api/socket';
import type {
  ChatChunkEvent,
  ChatEndEvent,
  ChatErrorEvent,
  ChatStartPayload,
} from '../../../clients/typescript/src/chat-socket';
import { fromStored, history, threadReducer, type ThreadMessage } from '../chat/thread';
import { Markdown } from '../chat/Markdown';
import { ConfirmModal } from '../components/ConfirmModal';
import { formatCredits, formatDateTime } from '../components/format';
import { Loading } from '../components/Loading';

type Conversation = Schemas['ConversationDto'];

const CONVERSATIONS_KEY = ['conversations'] as const;

/**
 * Chat with the models over the `/mcp` socket. `/chats` starts a conversation; the server keeps it
 * and `/chats/:id` resumes it (its stored messages come from `/api/conversations/:id`, and each new
 * turn sends only itself with the conversation's id: the server adds the history).
 */
export default function ChatPage() {
  const { t } = useTranslation();
  const { id: routeId } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const models = useModels();
  const [model, setModel] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [messages, dispatch] = useReducer(threadReducer, []);
  const [running, setRunning] = useState<string | null>(null);
  // The conversation this page started: its messages are already on screen, not reloaded.
  const startedHere = useRef<string | null>(null);
  const bottom = useRef<HTMLDivElement>(null);

  const stored = useQuery({
    queryKey: ['conversation', routeId],
    queryFn: () =>
      unwrap(hub.GET('/api/conversations/{id}', { params: { path: { id: routeId ?? '' } } })),
    enabled: Boolean(routeId) && routeId !== startedHere.current,
    gcTime: 0,
  });

  useEffect(() => {
    if (!routeId) {
      startedHere.current = null;
      dispatch({ type: 'reset', messages: [] });
    } else if (stored.data?.id === routeId) {
      dispatch({ type: 'reset', messages: fromStored(stored.data.messages) });
      setModel(stored.data.model);
    }
  }, [routeId, stored.data]);

  const available = useMemo(() => (models.data ?? []).filter((m) => m.available), [models.data]);
  const chosen = available.find((m) => m.id === model) ?? available[0];

  useEffect(
    () =>
      onMcpSocket((socket) => {
        const onChunk = (e: ChatChunkEvent) => dispatch({ type: 'chunk', ...e });
        const onEnd = (e: ChatEndEvent) => {
          dispatch({ type: 'end', ...e });
          setRunning((r) => (r === e.request_id ? null : r));
          client.setQueryData<Balance>(BALANCE_KEY, (old) =>
            old ? { ...old, balance: e.new_balance } : old,
          );
          void client.invalidateQueries({ queryKey: BALANCE_KEY });
          void client.invalidateQueries({ queryKey: CONVERSATIONS_KEY });
        };
        const onError = (e: ChatErrorEvent) => {
          dispatch({ type: 'error', ...e });
          setRunning((r) => (r === e.request_id ? null : r));
          void client.invalidateQueries({ queryKey: CONVERSATIONS_KEY });
        };
        socket.on('chat:chunk', onChunk);
        socket.on('chat:end', onEnd);
        socket.on('chat:error', onError);
        return () => {
          socket.off('chat:chunk', onChunk);
          socket.off('chat:end', onEnd);
          socket.off('chat:error', onError);
        };
      }),
    [client],
  );

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [messages]);

  const send = async (event: React.FormEvent) => {
    event.preventDefault();
    const content = text.trim();
    if (!content || !chosen || running) return;
    const requestId = crypto.randomUUID();
    const turn = { role: 'user' as const, content };
    // A resumed conversation: the server prepends what fits of its history.
    const conversationId = routeId;
    const payload: ChatStartPayload = conversationId
      ? {
          request_id: requestId,
          model: chosen.id,
          messages: [turn],
          conversation_id: conversationId,
        }
      : { request_id: requestId, model: chosen.id, messages: [...history(messages), turn] };
    dispatch({ type: 'sent', request_id: requestId, text: content, model: chosen.id });
    setRunning(requestId);
    setText('');
    const socket = await mcpSocket();
    socket.emit('chat:start', payload, (ack) => {
      if (!ack.ok) {
        dispatch({ type: 'error', request_id: requestId, code: ack.code, message: ack.message });
        setRunning(null);
        return;
      }
      if (!conversationId && ack.conversation_id) {
        startedHere.current = ack.conversation_id;
        void navigate(`/chats/${ack.conversation_id}`, { replace: true });
        void client.invalidateQueries({ queryKey: CONVERSATIONS_KEY });
      }
    });
  };

  const stop = async () => {
    if (running) {
      (await mcpSocket()).emit('chat:cancel', { request_id: running }, () => undefined);
    }
  };

  return (
    <Stack>
      <Title order={1}>{t('chat.title')}</Title>
      <Grid>
        <Grid.Col span={{ base: 12, md: 4, lg: 3 }}>
          <ConversationList current={routeId} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8, lg: 9 }}>
          <Stack>
            <Card withBorder padding="md" radius="md">
              <ModelPicker
                models={available}
                chosen={chosen?.id ?? null}
                onChange={setModel}
                disabled={Boolean(running)}
              />
            </Card>
            <Paper withBorder radius="md" p="md">
              <ScrollArea.Autosize mah="60vh" type="auto">
                <Stack gap="sm" data-testid="thread" aria-live="polite">
                  {stored.isError ? (
                    <Alert color="red" role="alert">
                      {stored.error.message}{' '}
                      <Anchor component={Link} to="/chats">
                        {t('chat.newChat')}
                      </Anchor>
                    </Alert>
                  ) : stored.isFetching ? (
                    <Loading />
                  ) : (
                    messages.length === 0 && <Text c="dimmed">{t('chat.empty')}</Text>
                  )}
                  {messages.map((m) => (
                    <MessageView key={m.id} message={m} />
                  ))}
                  <div ref={bottom} />
                </Stack>
              </ScrollArea.Autosize>
            </Paper>
            <form onSubmit={(e) => void send(e)}>
              <Stack gap="xs">
                <Textarea
                  label={t('chat.placeholder')}
                  autosize
                  minRows={2}
                  maxRows={8}
                  value={text}
                  onChange={(e) => setText(e.currentTarget.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                      void send(e);
                    }
                  }}
                />
                <Group justify="flex-end">
                  {running ? (
                    <Button color="red" variant="light" onClick={() => void stop()}>
                      {t('chat.stop')}
                    </Button>
                  ) : (
                    <Button type="submit" disabled={!text.trim() || !chosen || stored.isFetching}>
                      {t('chat.send')}
                    </Button>
                  )}
                </Group>
              </Stack>
            </form>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function ModelPicker(props: {
  models: { id: string; name: string; input_price_per_1k: string; output_price_per_1k: string }[];
  chosen: string | null;
  onChange: (id: string | null) => void;
  disabled: boolean;
}) {
  const { t, i18n } = useTranslation();
  const chosen = props.models.find((m) => m.id === props.chosen);
  return (
    <Select
      label={t('chat.model')}
      data={props.models.map((m) => ({ value: m.id, label: m.name }))}
      value={props.chosen}
      onChange={props.onChange}
      allowDeselect={false}
      disabled={props.disabled}
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
  );
}

/** The user's conversations, most recent first, 20 at a time; each opens at `/chats/:id`. */
function ConversationList({ current }: { current?: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const navigate = useNavigate();
  const list = useInfiniteQuery({
    queryKey: CONVERSATIONS_KEY,
    queryFn: ({ pageParam }) =>
      unwrap(
        hub.GET('/api/conversations', {
          params: { query: { limit: 20, cursor: pageParam || undefined } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  // The conversation being deleted stays set while its dialog fades out, so its title does too.
  const [deleting, setDeleting] = useState<Conversation | null>(null);
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: (conversation: Conversation) =>
      unwrap(hub.DELETE('/api/conversations/{id}', { params: { path: { id: conversation.id } } })),
    onSuccess: async (_, conversation) => {
      setConfirming(false);
      await client.invalidateQueries({ queryKey: CONVERSATIONS_KEY });
      if (conversation.id === current) void navigate('/chats');
    },
  });
  const closeConfirm = () => {
    remove.reset();
    setConfirming(false);
  };
  const rows = list.data?.pages.flatMap((p) => p.conversations) ?? [];
  return (
    <Card withBorder padding="sm" radius="md" component="nav" aria-label={t('chat.conversations')}>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          {t('chat.conversations')}
        </Title>
        <Button component={Link} to="/chats" size="xs" variant="light">
          {t('chat.newChat')}
        </Button>
      </Group>
      <ConfirmModal
        opened={confirming}
        onClose={closeConfirm}
        message={t('chat.deleteConfirm', { title: deleting?.title })}
        error={remove.error}
        pending={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        confirmLabel={t('chat.deleteNow')}
      />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <Alert color="red" role="alert">
          {list.error.message}
        </Alert>
      ) : rows.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('chat.noConversations')}
        </Text>
      ) : (
        <ScrollArea.Autosize mah={{ base: 180, md: '60vh' }} type="auto">
          <Stack gap={4} data-testid="conversations">
            {rows.map((c) => (
              <Group key={c.id} gap={4} wrap="nowrap" align="stretch">
                <UnstyledButton
                  component={Link}
                  to={`/chats/${c.id}`}
                  aria-current={c.id === current ? 'page' : undefined}
                  p={6}
                  style={{
                    flex: 1,
                    minWidth: 0,
                    borderRadius: 6,
                    background: c.id === current ? 'var(--mantine-color-default-hover)' : undefined,
                  }}
                >
                  <Text size="sm" fw={c.id === current ? 700 : 400} truncate>
                    {c.title}
                  </Text>
                  <Text size="xs" c="dimmed" truncate>
                    {formatDateTime(c.updated_at, i18n.language)} ·{' '}
                    {formatCredits(c.total_cost, i18n.language)}
                  </Text>
                </UnstyledButton>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t('chat.delete', { title: c.title })}
                  onClick={() => {
                    setDeleting(c);
                    setConfirming(true);
                  }}
                  style={{ alignSelf: 'center' }}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            {list.hasNextPage && (
              <Button
                variant="subtle"
                size="xs"
                loading={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {t('chat.more')}
              </Button>
            )}
          </Stack>
        </ScrollArea.Autosize>
      )}
    </Card>
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
            message.error.message || t('chat.failed')
          )}
        </Alert>
      )}
      {message.cost !== undefined && (
        <Text size="xs" c="dimmed" mt={4} data-testid="message-cost">
          {message.balance !== undefined
            ? t('chat.cost', {
                cost: formatCredits(message.cost, i18n.language),
                balance: formatCredits(message.balance, i18n.language),
              })
            : t('chat.costOnly', { cost: formatCredits(message.cost, i18n.language) })}
        </Text>
      )}
    </Paper>
  );
}
