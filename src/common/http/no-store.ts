import { applyDecorators, Header } from '@nestjs/common';

/**
 * For every response that carries a token or a secret (login, refresh, claim, API-key creation,
 * verify-session): no cache, shared or private, may keep it (RFC 9111 §5.2.2.5).
 */
export const NoStore = () =>
  applyDecorators(Header('Cache-Control', 'no-store'), Header('Pragma', 'no-cache'));
