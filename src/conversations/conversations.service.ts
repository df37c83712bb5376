import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { formatUnits, unitsFromSql } from '../common/money/credit-amount';
import { Clock } from '../common/time/clock';
import {
  AnswerMessage,
  ChatRole,
  ConversationRecord,
  ConversationsRepository,
  MessageRecord,
  TurnMessage,
} from './conversations.repository';
import {
  ConversationDto,
  ConversationMessageDto,
  ConversationPageDto,
  ConversationWithMessagesDto,
} from './dto/conversation.dto';

export class ConversationNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor() {
    super('No such conversation');
  }
}

const TITLE_CHARS = 80;

/** A title from the first user message: its first words, on one line (no model call). */
export function titleFrom(turn: { role: ChatRole; content: string }[]): string {
  const first = turn.find((m) => m.role === 'user' && m.content.trim()) ?? turn[0];
  const line = (first?.content ?? '').replace(/\s+/g, ' ').trim();
  if (line.length <= TITLE_CHARS) return line || 'New conversation';
  const cut = line.slice(0, TITLE_CHARS - 1);
  const word = cut.lastIndexOf(' ');
  return `${word > TITLE_CHARS / 2 ? cut.slice(0, word) : cut}…`;
}

/** A conversation as Markdown: its title, then each message under its role. */
export function toMarkdown(conversation: ConversationRecord, messages: MessageRecord[]): string {
  const lines = [
    `# ${conversation.title}`,
    '',
    `Model: ${conversation.model} · started ${conversation.createdAt.toISOString()} · total cost ${formatCost(conversation.totalCost)} credits`,
  ];
  for (const m of messages) {
    const heading =
      m.role === 'assistant' ? `Assistant (${m.model ?? 'unknown model'})` : capitalized(m.role);
    const note =
      m.role === 'assistant'
        ? ` · ${m.inputTokens ?? 0} in / ${m.outputTokens ?? 0} out · ${formatCost(m.cost ?? '0')} credits${m.status === 'complete' ? '' : ` · ${m.status}`}`
        : '';
    lines.push('', `## ${heading}`, '', `_${m.createdAt.toISOString()}${note}_`, '', m.content);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Conversations that persist: the chat gateway stores each turn and answer, and takes a
 * conversation's history as context; their owner lists, reads, renames, deletes and exports them.
 * Every read and change is scoped to the owner: someone else's conversation is "not found".
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly clock: Clock,
  ) {}

  /** Stores a new conversation with the user's first turn, titled after it. */
  start(userId: string, id: string, model: string, turn: TurnMessage[]): Promise<void> {
    const now = this.clock.now();
    return this.conversations.create({ id, userId, title: titleFrom(turn), model, now }, turn);
  }

  continue(conversationId: string, turn: TurnMessage[]): Promise<void> {
    return this.conversations.appendTurn(conversationId, turn, this.clock.now());
  }

  recordAnswer(conversationId: string, answer: AnswerMessage): Promise<void> {
    return this.conversations.appendAnswer(conversationId, answer, this.clock.now());
  }

  /**
   * The latest messages of the user's conversation that fit in `budget` tokens (counting
   * `perMessage` framing each), oldest first; `ConversationNotFoundError` if not theirs.
   */
  async history(
    userId: string,
    id: string,
    budget: number,
    perMessage: number,
  ): Promise<TurnMessage[]> {
    const messages = await this.conversations.history(userId, id, budget, perMessage);
    if (!messages) throw new ConversationNotFoundError();
    return messages;
  }

  async list(userId: string, limit: number, cursor?: string): Promise<ConversationPageDto> {
    const rows = await this.conversations.page(userId, limit + 1, cursor);
    const items = rows.slice(0, limit);
    return {
      conversations: items.map(toDto),
      next_cursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null,
    };
  }

  async get(userId: string, id: string): Promise<ConversationWithMessagesDto> {
    const conversation = await this.owned(userId, id);
    const messages = await this.conversations.messages(id);
    return { ...toDto(conversation), messages: messages.map(toMessageDto) };
  }

  async rename(userId: string, id: string, title: string): Promise<ConversationDto> {
    const renamed = await this.conversations.rename(userId, id, title.trim());
    if (!renamed) throw new ConversationNotFoundError();
    return toDto(renamed);
  }

  /** Deletes the conversation and its messages; the ledger rows that charged them stay. */
  async delete(userId: string, id: string): Promise<void> {
    if (!(await this.conversations.delete(userId, id))) throw new ConversationNotFoundError();
  }

  async exportMarkdown(userId: string, id: string): Promise<{ title: string; markdown: string }> {
    const conversation = await this.owned(userId, id);
    const messages = await this.conversations.messages(id);
    return { title: conversation.title, markdown: toMarkdown(conversation, messages) };
  }

  private async owned(userId: string, id: string): Promise<ConversationRecord> {
    const conversation = await this.conversations.findOwned(userId, id);
    if (!conversation) throw new ConversationNotFoundError();
    return conversation;
  }
}

function formatCost(value: string): string {
  return formatUnits(unitsFromSql(value));
}

function capitalized(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

function toDto(c: ConversationRecord): ConversationDto {
  return {
    id: c.id,
    title: c.title,
    model: c.model,
    total_cost: formatCost(c.totalCost),
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

function toMessageDto(m: MessageRecord): ConversationMessageDto {
  return {
    id: m.id,
    role: m.role,
    content: m.content,
    model: m.model,
    input_tokens: m.inputTokens,
    output_tokens: m.outputTokens,
    cost: m.cost === null ? null : formatCost(m.cost),
    transaction_id: m.transactionId,
    status: m.status,
    created_at: m.createdAt.toISOString(),
  };
}
