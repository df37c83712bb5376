import type { Logger } from '@nestjs/common';
import { asChatError, ChatError } from './chat.types';

function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const logger = {
    warn: (_context: object, message: string) => lines.push({ level: 'warn', message }),
    error: (_context: object, message: string) => lines.push({ level: 'error', message }),
  } as unknown as Logger;
  return { logger, lines };
}

describe('asChatError', () => {
  it('keeps a chat error as it is, unlogged', () => {
    const { logger, lines } = recordingLogger();
    const error = new ChatError('TIMEOUT', 'slow');
    expect(asChatError(error, logger, {})).toBe(error);
    expect(lines).toEqual([]);
  });

  it('says the database is out of reach (a pool wait that timed out, as under overload), logged as a warning', () => {
    const { logger, lines } = recordingLogger();
    const result = asChatError(new Error('timeout exceeded when trying to connect'), logger, {});
    expect(result).toMatchObject({
      code: 'INTERNAL',
      message: 'The hub cannot reach its database right now: try again shortly',
    });
    expect(lines).toEqual([
      { level: 'warn', message: 'Chat refused: the database is not reachable' },
    ]);
  });

  it('anything else is INTERNAL, logged as an error', () => {
    const { logger, lines } = recordingLogger();
    expect(asChatError(new TypeError('x is undefined'), logger, {})).toMatchObject({
      code: 'INTERNAL',
      message: 'Internal error',
    });
    expect(lines).toEqual([{ level: 'error', message: 'Chat failed unexpectedly' }]);
  });
});
