import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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

/** A turn's messages as parallel arrays ($2 roles, $3 contents, $4 token counts), in order. */
const TURN_ROWS = `unnest($2::text[], $3::text[], $4::int[]) WITH ORDINALITY AS m(role, content, content_tokens, ord)`;

/** Every SQL statement about conversations and their messages; each call is one round trip. */
@Injectable()
export class ConversationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A new conversation with the first turn of its user. */
  async create(
    conversation: { id: string; userId: string; title: string; model: string; now: Date },
    turn: TurnMessage[],
  ): Promise<void> {
    await this.dataSource.query(
      `WITH c AS (
         INSERT INTO conversations (id, user_id, title, model, created_at, updated_at)
         VALUES ($1, $5, $6, $7, $8, $8) RETURNING id)
       INSERT INTO conversation_messages (conversation_id, role, content, content_tokens, status, created_at)
       SELECT c.id, m.role, m.content, m.content_tokens, 'complete', $8
         FROM c, ${TURN_ROWS} ORDER BY m.ord`,
      [
        conversation.id,
        ...turnArrays(turn),
        conversation.userId,
        conversation.title,
        conversation.model,
        conversation.now,
      ],
    );
  }

  /** Appends a user's turn to one of their conversations. */
  async appendTurn(conversationId: string, turn: TurnMessage[], now: Date): Promise<void> {
    await this.dataSource.query(
      `WITH c AS (UPDATE conversations SET updated_at = $5 WHERE id = $1 RETURNING id)
       INSERT INTO conversation_messages (conversation_id, role, content, content_tokens, status, created_at)
       SELECT c.id, m.role, m.content, m.content_tokens, 'complete', $5
         FROM c, ${TURN_ROWS} ORDER BY m.ord`,
      [conversationId, ...turnArrays(turn), now],
    );
  }

  /** Appends the model's answer and adds its cost to the conversation's total, in one statement. */
  async appendAnswer(conversationId: string, answer: AnswerMessage, now: Date): Promise<void> {
    await this.dataSource.query(
      `WITH c AS (
         UPDATE conversations SET total_cost = total_cost + $7, model = $4, updated_at = $10
          WHERE id = $1 RETURNING id)
       INSERT INTO conversation_messages
         (conversation_id, role, content, content_tokens, model, input_tokens, output_tokens, cost,
          transaction_id, status, created_at)
       SELECT c.id, 'assistant', $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM c`,
      [
        conversationId,
        answer.content,
        answer.contentTokens,
        answer.model,
        answer.inputTokens,
        answer.outputTokens,
        answer.cost,
        answer.transactionId,
        answer.status,
        now,
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

function turnArrays(turn: TurnMessage[]): [string[], string[], number[]] {
  return [turn.map((m) => m.role), turn.map((m) => m.content), turn.map((m) => m.contentTokens)];
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
