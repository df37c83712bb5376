import type { ConfigValues, VariableSpec } from '../config-values';
import type { ProviderName } from '../../../clients/typescript/src/chat-socket';

/** The chat gateway: upstream providers, timeouts, retries, per-user limits and holds. */
export const MCP_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'OPENAI_API_KEY',
    kind: { type: 'string' },
    description: 'OpenAI API key. Unset: OpenAI models are listed as unavailable and refuse chats.',
    secret: true,
  },
  {
    name: 'OPENAI_BASE_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    default: 'https://api.openai.com/v1',
    description: 'OpenAI API base URL (a compatible proxy, or a local fake in tests).',
  },
  {
    name: 'ANTHROPIC_API_KEY',
    kind: { type: 'string' },
    description:
      'Anthropic API key. Unset: Anthropic models are listed as unavailable and refuse chats.',
    secret: true,
  },
  {
    name: 'ANTHROPIC_BASE_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    default: 'https://api.anthropic.com',
    description: 'Anthropic API base URL (a compatible proxy, or a local fake in tests).',
  },
  {
    name: 'MCP_FIRST_TOKEN_TIMEOUT',
    kind: { type: 'duration' },
    default: '30s',
    description: 'Longest wait from sending a chat upstream to its first text chunk → `TIMEOUT`.',
  },
  {
    name: 'MCP_IDLE_TIMEOUT',
    kind: { type: 'duration' },
    default: '20s',
    description: 'Longest silence between two chunks of a running stream → `TIMEOUT`.',
  },
  {
    name: 'MCP_MAX_RETRIES',
    kind: { type: 'int', min: 0, max: 10 },
    default: '2',
    description: 'Retries of an upstream 429/5xx/connection failure, only before the first chunk.',
  },
  {
    name: 'MCP_RETRY_BASE_DELAY',
    kind: { type: 'duration' },
    default: '500ms',
    description: 'First retry delay; doubled per attempt, with jitter.',
  },
  {
    name: 'MCP_MAX_CONCURRENT_STREAMS',
    kind: { type: 'int', min: 1, max: 1000 },
    default: '3',
    description:
      "Chat streams one user may run at once, across instances (counted by the money core with each chat's credit hold).",
  },
  {
    name: 'MCP_MESSAGES_PER_MINUTE',
    kind: { type: 'int', min: 1, max: 100_000 },
    default: '30',
    description:
      'Chats one user may start per minute (any 60 s), across instances; a refused start does not count.',
  },
  {
    name: 'MCP_DEFAULT_MAX_TOKENS',
    kind: { type: 'int', min: 1, max: 1_000_000 },
    default: '1024',
    description:
      'Output limit when a chat gives no `maxTokens` (capped by the model’s own); reserved up front.',
  },
  {
    name: 'MCP_MAX_INPUT_CHARS',
    kind: { type: 'int', min: 1, max: 10_000_000 },
    default: '400000',
    description:
      'Largest total message content of one chat, in characters; more → `INVALID_REQUEST`.',
  },
  {
    name: 'MCP_MAX_MESSAGES',
    kind: { type: 'int', min: 1, max: 10_000 },
    default: '200',
    description: 'Most messages in one chat; more → `INVALID_REQUEST`.',
  },
  {
    name: 'MCP_MAX_SOCKETS_PER_USER',
    kind: { type: 'int', min: 1, max: 10_000 },
    default: '10',
    description:
      'Open `/mcp` sockets one user may have on one instance; more → connect_error naming the limit.',
  },
  {
    name: 'MCP_MAX_SOCKETS_PER_IP',
    kind: { type: 'int', min: 1, max: 100_000 },
    default: '100',
    description:
      'Open `/mcp` sockets from one client address (after TRUST_PROXY) on one instance; more → connect_error naming the limit.',
  },
  {
    name: 'MCP_HOLD_TTL',
    kind: { type: 'duration' },
    default: '15m',
    description: 'Life of the credit hold behind a chat; a crashed server’s holds lapse after it.',
  },
  {
    name: 'MCP_REVALIDATE_INTERVAL',
    kind: { type: 'duration' },
    default: '30s',
    description:
      'How often connected sockets re-check their token; a disabled user or revoked session is disconnected.',
  },
];

/** The providers' names are part of the chat socket's contract (`chat:end`'s `provider`). */
export type { ProviderName };

export interface McpConfig {
  providers: Record<ProviderName, { apiKey?: string; baseUrl: string }>;
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  maxConcurrentStreams: number;
  messagesPerMinute: number;
  defaultMaxTokens: number;
  maxInputChars: number;
  maxMessages: number;
  maxSocketsPerUser: number;
  maxSocketsPerIp: number;
  holdTtlMs: number;
  revalidateIntervalMs: number;
}

export function buildMcpConfig(v: ConfigValues): McpConfig {
  return {
    providers: {
      openai: {
        apiKey: v.optionalString('OPENAI_API_KEY'),
        baseUrl: v.string('OPENAI_BASE_URL'),
      },
      anthropic: {
        apiKey: v.optionalString('ANTHROPIC_API_KEY'),
        baseUrl: v.string('ANTHROPIC_BASE_URL'),
      },
    },
    firstTokenTimeoutMs: v.number('MCP_FIRST_TOKEN_TIMEOUT'),
    idleTimeoutMs: v.number('MCP_IDLE_TIMEOUT'),
    maxRetries: v.number('MCP_MAX_RETRIES'),
    retryBaseDelayMs: v.number('MCP_RETRY_BASE_DELAY'),
    maxConcurrentStreams: v.number('MCP_MAX_CONCURRENT_STREAMS'),
    messagesPerMinute: v.number('MCP_MESSAGES_PER_MINUTE'),
    defaultMaxTokens: v.number('MCP_DEFAULT_MAX_TOKENS'),
    maxInputChars: v.number('MCP_MAX_INPUT_CHARS'),
    maxMessages: v.number('MCP_MAX_MESSAGES'),
    maxSocketsPerUser: v.number('MCP_MAX_SOCKETS_PER_USER'),
    maxSocketsPerIp: v.number('MCP_MAX_SOCKETS_PER_IP'),
    holdTtlMs: v.number('MCP_HOLD_TTL'),
    revalidateIntervalMs: v.number('MCP_REVALIDATE_INTERVAL'),
  };
}
