import { Writable } from 'node:stream';
import { AppLogger } from './app-logger';

/** An AppLogger writing into an array of parsed JSON lines. */
function capturingLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: new AppLogger(level, destination), lines };
}

describe('AppLogger (Nest LoggerService on pino)', () => {
  it('merges an object first argument into the line and takes the last argument as context', () => {
    const { logger, lines } = capturingLogger();
    logger.warn({ userId: 'u1' }, 'Something odd', 'McpChat');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        userId: 'u1',
        msg: 'Something odd',
        context: 'McpChat',
      }),
    ]);
  });

  it('logs a plain message with its context', () => {
    const { logger, lines } = capturingLogger();
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'Mapped {/health, GET} route',
      context: 'RouterExplorer',
    });
  });

  it("turns Nest's error(message, stack, context) into an err with that stack", () => {
    const { logger, lines } = capturingLogger();
    const stack = 'Error: boom\n    at somewhere (file.js:1:1)';
    logger.error('boom', stack, 'ExceptionHandler');
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'boom',
      context: 'ExceptionHandler',
      err: { message: 'boom', stack },
    });
  });

  it('logs an Error as err with its message', () => {
    const { logger, lines } = capturingLogger();
    logger.error(new Error('disk full'), 'Storage');
    expect(lines[0]).toMatchObject({
      msg: 'disk full',
      context: 'Storage',
      err: { message: 'disk full' },
    });
  });

  it('drops lines below the level and redacts credential fields', () => {
    const { logger, lines } = capturingLogger('warn');
    logger.log('not written');
    logger.debug('not written either');
    logger.warn({ user: { password: 'hunter2', name: 'A' } }, 'login');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ user: { password: '[REDACTED]', name: 'A' } });
  });
});
