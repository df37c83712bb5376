import express, { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { jsonBody, parseStrict } from './json-body';

/** The parser alone on a loopback server: answers the parsed body, or the error's fields. */
async function withParser(run: (url: string) => Promise<void>): Promise<void> {
  const app = express();
  app.use(jsonBody('64b'));
  app.post('/', (req: Request, res: Response) => res.json({ body: req.body ?? 'undefined' }));
  app.use(
    (error: { status: number; type: string }, _req: Request, res: Response, _n: NextFunction) =>
      res.status(error.status).json({ type: error.type }),
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('jsonBody (the JSON parser with body-parser’s rules)', () => {
  it('reads a plain JSON body, in UTF-8 with or without a charset, a BOM ignored', () =>
    withParser(async (url) => {
      expect(await post(url, '{"cost":"0.01","name":"สมชาย"}')).toEqual({
        status: 200,
        json: { body: { cost: '0.01', name: 'สมชาย' } },
      });
      const typed = { 'content-type': 'application/json; charset=UTF-8' };
      expect((await post(url, '[1]', typed)).json).toEqual({ body: [1] });
      expect((await post(url, '\ufeff {"a":1}')).json).toEqual({ body: { a: 1 } });
    }));

  it('refuses a body over the limit (413), malformed JSON and a bare value (400)', () =>
    withParser(async (url) => {
      expect(await post(url, JSON.stringify({ a: 'x'.repeat(100) }))).toEqual({
        status: 413,
        json: { type: 'entity.too.large' },
      });
      for (const body of ['{"a": ', '"text"', 'null', '1', '   ']) {
        expect(await post(url, body)).toEqual({
          status: 400,
          json: { type: 'entity.parse.failed' },
        });
      }
    }));

  it('leaves an empty body undefined, and hands compressed or chunked bodies to body-parser', () =>
    withParser(async (url) => {
      expect((await post(url, '')).json).toEqual({ body: 'undefined' });
      const gzipped = await post(url, gzipSync('{"a":2}'), { 'content-encoding': 'gzip' });
      expect(gzipped.json).toEqual({ body: { a: 2 } });
      const stream = new Blob(['{"b":', '3}']).stream();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      });
      expect(await res.json()).toEqual({ body: { b: 3 } });
    }));

  it('answers a body shorter than its Content-Length, cut by the client, without hanging', () =>
    withParser(async (url) => {
      const { port } = new URL(url);
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(
            'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"a":',
          );
          socket.end();
        });
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
      });
      // The server neither crashed nor parsed a partial body: nothing, or a 400, came back.
      expect(answer === '' || answer.startsWith('HTTP/1.1 400')).toBe(true);
      expect((await post(url, '{"still":"up"}')).json).toEqual({ body: { still: 'up' } });
    }));
});

describe('parseStrict', () => {
  it('is JSON.parse for an object or an array, {} for nothing', () => {
    expect(parseStrict(' \n{"a":[1]}')).toEqual({ a: [1] });
    expect(parseStrict('')).toEqual({});
    expect(() => parseStrict('true')).toThrow(SyntaxError);
  });
});
