import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
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
    logger.log('Nest application successfully started', 'NestApplication');
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'Nest application successfully started',
      context: 'NestApplication',
    });
  });

  it("writes Nest's route and module lines at debug: the info log of a start stays short", () => {
    const info = capturingLogger('info');
    info.logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    info.logger.log('HealthController {/health}:', 'RoutesResolver');
    info.logger.log('AppModule dependencies initialized', 'InstanceLoader');
    expect(info.lines).toEqual([]);
    const debug = capturingLogger('debug');
    debug.logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    expect(debug.lines[0]).toMatchObject({
      level: 20,
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

  describe('access log', () => {
    /** One request through the middleware, ended with `status` (`event`: finish or close). */
    function serve(logger: AppLogger, url: string, status: number, event = 'finish') {
      const req = {
        id: 'req-1',
        method: 'POST',
        url,
        socket: { remoteAddress: '127.0.0.1' },
      } as unknown as Request;
      const res = Object.assign(new EventEmitter(), { statusCode: status }) as unknown as Response;
      let nexted = false;
      logger.httpMiddleware()(req, res, (() => (nexted = true)) as NextFunction);
      expect(nexted).toBe(true);
      res.emit(event);
      res.emit('close'); // after finish, as Node does: still one line
    }

    it('writes one line per request with its id, method, redacted URL, status and time', () => {
      const { logger, lines } = capturingLogger('info');
      serve(logger, '/api/x?token=secret&page=2', 200);
      serve(logger, '/api/y', 404, 'close');
      serve(logger, '/api/z', 503);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 30,
          msg: 'request completed',
          req: {
            id: 'req-1',
            method: 'POST',
            url: '/api/x?token=%5BREDACTED%5D&page=2',
            remoteAddress: '127.0.0.1',
          },
          res: { statusCode: 200 },
          responseTime: expect.any(Number),
        }),
        expect.objectContaining({ level: 40, res: { statusCode: 404 } }),
        expect.objectContaining({
          level: 50,
          msg: 'request errored',
          err: expect.objectContaining({ message: 'failed with status code 503' }),
        }),
      ]);
    });

    it('at warn, successes write nothing and client errors still do; probes never', () => {
      const { logger, lines } = capturingLogger('warn');
      serve(logger, '/api/x', 200);
      serve(logger, '/health', 500);
      serve(logger, '/api/y', 409);
      expect(lines).toEqual([
        expect.objectContaining({ level: 40, req: expect.objectContaining({ url: '/api/y' }) }),
      ]);
    });
  });
});
