import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WriteBatcher } from './write-batcher';

export type MessageStatus = 'complete' | 'cancelled' | 'failed';
/** The roles of chat messages (the chat gateway's `ChatRole`). */
export type ChatRole = 'system' | 'user' | 'assistant';

export interface ConversationRecord {
  id: string;
  userId: string;
  title: string;
  model: string;
  /** Decimal string, 4 places (NUMERIC as text). */
  totalCost: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface MessageRecord {
  id: string;
  role: ChatRole;
  content: string;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: string | null;
  transactionId: string | null;
  status: MessageStatus;
  createdAt: Date;
}

/** A message of the user's turn as stored: its text and its token count (for trimming later). */
export interface TurnMessage {
  role: ChatRole;
  content: string;
  contentTokens: number;
}

/** The model's answer to a turn, with what it cost and the ledger row that charged it. */
export interface AnswerMessage {
  content: string;
  contentTokens: number;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cost: string;
  transactionId: string | null;
  status: MessageStatus;
}

interface ConversationRow {
  id: string;
  user_id: string;
  title: string;
  model: string;
  total_cost: string;
  created_at: Date;
  updated_at: Date;
}

interface MessageRow {
  id: string;
  role: ChatRole;
  content: string;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: string | null;
  transaction_id: string | null;
  status: MessageStatus;
  created_at: Date;
}

const CONVERSATION_COLUMNS =
  'id, user_id, title, model, total_cost::text AS total_cost, created_at, updated_at';
const MESSAGE_COLUMNS = `id, role, content, model, input_tokens, output_tokens, cost::text AS cost,
  transaction_id, status, created_at`;

/**
 * The turns' messages as parallel arrays, in order: the statement's parameters from `$first` on
 * (conversation ids, roles, contents, token counts, times; see messageArrays).
 */
function messageRows(first: number): string {
  const [ids, roles, contents, tokens, times] = [0, 1, 2, 3, 4].map((i) => `$${first + i}`);
  return `unnest(${ids}::uuid[], ${roles}::text[], ${contents}::text[], ${tokens}::int[],
                 ${times}::timestamptz[])
    WITH ORDINALITY AS m(conversation_id, role, content, content_tokens, at, ord)`;
}

interface NewConversation {
  id: string;
  userId: string;
  title: string;
  model: string;
  now: Date;
  turn: TurnMessage[];
}

interface TurnOf {
  conversationId: string;
  turn: TurnMessage[];
  now: Date;
}

interface AnswerOf {
  conversationId: string;
  answer: AnswerMessage;
  now: Date;
}

/** Every SQL statement about conversations and their messages; each call is one round trip. */
@Injectable()
export class ConversationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private readonly creates = new WriteBatcher<NewConversation>((items) => this.insert(items));
  private readonly turns = new WriteBatcher<TurnOf>((items) => this.insertTurns(items));
  private readonly answers = new WriteBatcher<AnswerOf>((items) => this.insertAnswers(items));

  /** A new conversation with the first turn of its user. */
  create(conversation: Omit<NewConversation, 'turn'>, turn: TurnMessage[]): Promise<void> {
    return this.creates.add({ ...conversation, turn });
  }

  /** Appends a user's turn to one of their conversations (none when it is gone). */
  appendTurn(conversationId: string, turn: TurnMessage[], now: Date): Promise<void> {
    return this.turns.add({ conversationId, turn, now });
  }

  /** Appends the model's answer and adds its cost to the conversation's total. */
  appendAnswer(conversationId: string, answer: AnswerMessage, now: Date): Promise<void> {
    return this.answers.add({ conversationId, answer, now });
  }

  private async insert(items: NewConversation[]): Promise<void> {
    await this.dataSource.query(
      `WITH c AS (
         INSERT INTO conversations (id, user_id, title, model, created_at, updated_at)
         SELECT n.id, n.user_id, n.title, n.model, n.at, n.at
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])
                AS n(id, user_id, title, model, at)
         RETURNING id)
       INSERT INTO conversation_messages (conversation_id, role, content, content_tokens, status, created_at)
       SELECT c.id, m.role, m.content, m.content_tokens, 'complete', m.at
         FROM ${messageRows(6)} JOIN c ON c.id = m.conversation_id ORDER BY m.ord`,
      [
        items.map((c) => c.id),
        items.map((c) => c.userId),
        items.map((c) => c.title),
        items.map((c) => c.model),
        items.map((c) => c.now),
        ...messageArrays(items.map((c) => ({ conversationId: c.id, turn: c.turn, now: c.now }))),
      ],
    );
  }

  private async insertTurns(items: TurnOf[]): Promise<void> {
    await this.dataSource.query(
      `WITH c AS (
         UPDATE conversations SET updated_at = t.at
           FROM (SELECT id, max(at) AS at FROM unnest($1::uuid[], $2::timestamptz[]) AS n(id, at)
                  GROUP BY id) t
          WHERE conversations.id = t.id
         RETURNING conversations.id)
       INSERT INTO conversation_messages (conversation_id, role, content, content_tokens, status, created_at)
       SELECT c.id, m.role, m.content, m.content_tokens, 'complete', m.at
         FROM ${messageRows(3)} JOIN c ON c.id = m.conversation_id ORDER BY m.ord`,
      [items.map((t) => t.conversationId), items.map((t) => t.now), ...messageArrays(items)],
    );
  }

  private async insertAnswers(items: AnswerOf[]): Promise<void> {
    const a = items.map((i) => i.answer);
    await this.dataSource.query(
      `WITH a AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[], $6::int[],
                              $7::numeric[], $8::uuid[], $9::text[], $10::timestamptz[])
           WITH ORDINALITY AS n(conversation_id, content, content_tokens, model, input_tokens,
                                output_tokens, cost, transaction_id, status, at, ord)),
       c AS (
         UPDATE conversations SET total_cost = total_cost + s.cost, model = s.model,
                                  updated_at = s.at
           FROM (SELECT conversation_id, sum(cost) AS cost, max(at) AS at,
                        (array_agg(model ORDER BY ord DESC))[1] AS model
                   FROM a GROUP BY conversation_id) s
          WHERE conversations.id = s.conversation_id
         RETURNING conversations.id)
       INSERT INTO conversation_messages
         (conversation_id, role, content, content_tokens, model, input_tokens, output_tokens, cost,
          transaction_id, status, created_at)
       SELECT a.conversation_id, 'assistant', a.content, a.content_tokens, a.model, a.input_tokens,
              a.output_tokens, a.cost, a.transaction_id, a.status, a.at
         FROM a JOIN c ON c.id = a.conversation_id ORDER BY a.ord`,
      [
        items.map((i) => i.conversationId),
        a.map((x) => x.content),
        a.map((x) => x.contentTokens),
        a.map((x) => x.model),
        a.map((x) => x.inputTokens),
        a.map((x) => x.outputTokens),
        a.map((x) => x.cost),
        a.map((x) => x.transactionId),
        a.map((x) => x.status),
        items.map((i) => i.now),
      ],
    );
  }

  async findOwned(userId: string, id: string): Promise<ConversationRecord | null> {
    const rows = await this.dataSource.query<ConversationRow[]>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0] ? toConversation(rows[0]) : null;
  }

  /**
   * The latest messages of a user's conversation whose tokens (plus `perMessage` framing each)
   * fit in `budget`, oldest first; null when the conversation is not theirs. Empty messages (an
   * answer that failed before any text) are left out.
   */
  async history(
    userId: string,
    id: string,
    budget: number,
    perMessage: number,
  ): Promise<TurnMessage[] | null> {
    const rows = await this.dataSource.query<
      { role: ChatRole | null; content: string | null; content_tokens: number | null }[]
    >(
      `SELECT h.role, h.content, h.content_tokens
         FROM conversations c
         LEFT JOIN LATERAL (
           SELECT role, content, content_tokens, seq FROM (
             SELECT role, content, content_tokens, seq,
                    SUM(content_tokens + $4) OVER (ORDER BY seq DESC) AS running
               FROM conversation_messages
              WHERE conversation_id = c.id AND content <> '') m
            WHERE running <= $3) h ON true
        WHERE c.id = $1 AND c.user_id = $2
        ORDER BY h.seq`,
      [id, userId, budget, perMessage],
    );
    if (rows.length === 0) return null;
    return rows.flatMap((r) =>
      r.role && r.content
        ? [{ role: r.role, content: r.content, contentTokens: r.content_tokens ?? 0 }]
        : [],
    );
  }

  /** A page of a user's conversations, most recently updated first, after the one `afterId`. */
  async page(userId: string, limit: number, afterId?: string): Promise<ConversationRecord[]> {
    const rows = await this.dataSource.query<ConversationRow[]>(
      afterId
        ? `SELECT ${CONVERSATION_COLUMNS} FROM conversations
            WHERE user_id = $1
              AND (updated_at, id) < (SELECT updated_at, id FROM conversations
                                       WHERE id = $3 AND user_id = $1)
            ORDER BY updated_at DESC, id DESC LIMIT $2`
        : `SELECT ${CONVERSATION_COLUMNS} FROM conversations
            WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2`,
      afterId ? [userId, limit, afterId] : [userId, limit],
    );
    return rows.map(toConversation);
  }

  async messages(conversationId: string): Promise<MessageRecord[]> {
    const rows = await this.dataSource.query<MessageRow[]>(
      `SELECT ${MESSAGE_COLUMNS} FROM conversation_messages WHERE conversation_id = $1 ORDER BY seq`,
      [conversationId],
    );
    return rows.map(toMessage);
  }

  async rename(userId: string, id: string, title: string): Promise<ConversationRecord | null> {
    const rows = await this.dataSource.query<ConversationRow[]>(
      // Wrapped in a SELECT: TypeORM returns [rows, count] for a bare UPDATE … RETURNING.
      `WITH u AS (UPDATE conversations SET title = $3 WHERE id = $1 AND user_id = $2 RETURNING *)
       SELECT ${CONVERSATION_COLUMNS} FROM u`,
      [id, userId, title],
    );
    return rows[0] ? toConversation(rows[0]) : null;
  }

  /** Deletes a conversation and its messages (never a ledger row); false when not theirs. */
  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `WITH d AS (DELETE FROM conversations WHERE id = $1 AND user_id = $2 RETURNING id)
       SELECT id FROM d`,
      [id, userId],
    );
    return rows.length > 0;
  }
}

/** Every message of the turns as messageRows reads them, each with its conversation's id. */
function messageArrays(
  turns: { conversationId: string; turn: TurnMessage[]; now: Date }[],
): [string[], string[], string[], number[], Date[]] {
  const messages = turns.flatMap((t) =>
    t.turn.map((m) => ({ ...m, id: t.conversationId, at: t.now })),
  );
  return [
    messages.map((m) => m.id),
    messages.map((m) => m.role),
    messages.map((m) => m.content),
    messages.map((m) => m.contentTokens),
    messages.map((m) => m.at),
  ];
}

function toConversation(row: ConversationRow): ConversationRecord {
  return {
    id: row.id,
    userId: row.user_id,
    title: row.title,
    model: row.model,
    totalCost: row.total_cost,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toMessage(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cost: row.cost,
    transactionId: row.transaction_id,
    status: row.status,
    createdAt: row.created_at,
  };
}
