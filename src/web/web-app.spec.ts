import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webAppFiles } from './web-app';

describe('webAppFiles', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    // Files named like server paths: if the file server looked at them, it would answer them.
    dir = mkdtempSync(join(tmpdir(), 'web-app-files-'));
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    writeFileSync(join(dir, 'health'), 'a file');
    mkdirSync(join(dir, 'api'));
    writeFileSync(join(dir, 'api', 'balance'), 'a file');
    const app = express();
    app.use(webAppFiles(dir));
    app.use((req, res) => res.status(404).send(`route ${req.path}`));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true });
  });

  it("serves the web app's own files, revalidated", async () => {
    const res = await fetch(`${base}/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe('<svg/>');
  });

  it.each(['/health', '/api/balance'])('leaves server path %s to the routes', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(await res.text()).toBe(`route ${path}`);
  });
});
