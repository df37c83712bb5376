import { LegacyNameMap, renameLegacyFields } from '../common/http/legacy-names';
import type { ChatMessage, ChatStartPayload } from './chat.types';

export interface PayloadLimits {
  maxMessages: number;
  maxInputChars: number;
}

const ROLES = new Set(['system', 'user', 'assistant']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MODEL_ID = /^[A-Za-z0-9._:/-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The camelCase names `chat:start` and `chat:cancel` had before the snake_case rule, accepted for
 * one release like the REST routes' (`@AcceptsLegacyNames`, CHANGELOG.md).
 */
export const LEGACY_CHAT_NAMES: LegacyNameMap = {
  requestId: 'request_id',
  maxTokens: 'max_tokens',
};

/** `raw` with its old names renamed, or why not (both names of one field were sent). */
function withCurrentNames(
  raw: unknown,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: renameLegacyFields(raw, LEGACY_CHAT_NAMES) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * Checks an untrusted `chat:start` payload. Returns the typed payload or the reason it is
 * invalid; never throws, whatever the client sent.
 */
export function parseChatStart(
  raw: unknown,
  limits: PayloadLimits,
): { ok: true; value: ChatStartPayload } | { ok: false; reason: string } {
  const fail = (reason: string) => ({ ok: false as const, reason });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('payload must be an object');
  }
  const renamed = withCurrentNames(raw);
  if (!renamed.ok) return renamed;
  const p = renamed.value as Record<string, unknown>;
  const allowed = new Set([
    'request_id',
    'model',
    'messages',
    'max_tokens',
    'temperature',
    'conversation_id',
  ]);
  const unknown = Object.keys(p).find((key) => !allowed.has(key));
  if (unknown) return fail(`unknown field "${unknown.slice(0, 40)}"`);
  if (typeof p.request_id !== 'string' || !REQUEST_ID.test(p.request_id)) {
    return fail('request_id must be 1–128 letters, digits or ._:-');
  }
  if (typeof p.model !== 'string' || !MODEL_ID.test(p.model)) {
    return fail('model must be a model id string');
  }
  if (!Array.isArray(p.messages) || p.messages.length === 0) {
    return fail('messages must be a non-empty array');
  }
  if (p.messages.length > limits.maxMessages) {
    return fail(`at most ${limits.maxMessages} messages`);
  }
  const messages: ChatMessage[] = [];
  let chars = 0;
  for (const [i, m] of (p.messages as unknown[]).entries()) {
    if (typeof m !== 'object' || m === null) return fail(`messages[${i}] must be an object`);
    const { role, content, ...rest } = m as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return fail(`messages[${i}] has unknown fields`);
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return fail(`messages[${i}].role must be system, user or assistant`);
    }
    if (typeof content !== 'string') return fail(`messages[${i}].content must be a string`);
    if (content.includes('\u0000')) return fail(`messages[${i}].content contains a NUL character`);
    chars += content.length;
    if (chars > limits.maxInputChars) {
      return fail(`message content over ${limits.maxInputChars} characters in total`);
    }
    messages.push({ role: role as ChatMessage['role'], content });
  }
  if (!messages.some((m) => m.role === 'user' && m.content.trim())) {
    return fail('at least one non-empty user message is needed');
  }
  const value: ChatStartPayload = { request_id: p.request_id, model: p.model, messages };
  if (p.max_tokens !== undefined) {
    const max = p.max_tokens;
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) {
      return fail('max_tokens must be a positive integer');
    }
    value.max_tokens = max;
  }
  if (p.conversation_id !== undefined) {
    if (typeof p.conversation_id !== 'string' || !UUID.test(p.conversation_id)) {
      return fail('conversation_id must be a conversation id (UUID)');
    }
    value.conversation_id = p.conversation_id.toLowerCase();
  }
  if (p.temperature !== undefined) {
    const t = p.temperature;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 2) {
      return fail('temperature must be a number from 0 to 2');
    }
    value.temperature = t;
  }
  return { ok: true, value };
}

/** The `request_id` of a `chat:cancel` (or of any chat payload), if it is a valid one. */
export function parseRequestId(raw: unknown): string | undefined {
  const renamed = withCurrentNames(raw);
  if (!renamed.ok) return undefined;
  const id = (renamed.value as { request_id?: unknown } | null)?.request_id;
  return typeof id === 'string' && REQUEST_ID.test(id) ? id : undefined;
}
