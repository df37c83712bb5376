import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { ServerProcess } from '../support/server-process';
import { TestDatabase } from '../support/test-database';

async function waitReady(port: number, timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.status !== 200) throw new Error(`ready answered ${res.status}`);
    },
    timeoutMs,
    250,
  );
}

describe('the server process', () => {
  it('exits non-zero with one clear line for a malformed variable', async () => {
    const server = ServerProcess.start({ PORT: 'abc' });
    expect(await server.exitCode()).toBe(1);
    expect(server.output.trim()).toBe(
      'Configuration error: PORT="abc" is invalid: it must be an integer from 0 to 65535',
    );
  });

  it('refuses to start in production without DATABASE_URL and JWT_SECRET', async () => {
    const server = ServerProcess.start({ NODE_ENV: 'production' });
    expect(await server.exitCode()).toBe(1);
    expect(server.output).toMatch(
      /^Configuration error: DATABASE_URL is required when NODE_ENV=production/m,
    );
    expect(server.output).toMatch(
      /^Configuration error: JWT_SECRET is required when NODE_ENV=production/m,
    );
  });

  it('lets an in-flight request finish after SIGTERM, then exits 0', async () => {
    const database = await TestDatabase.create();
    const port = await freePort();
    const server = ServerProcess.start({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
    });
    try {
      await waitReady(port, 30_000);
      // A request whose body is still arriving when the signal comes: it must still be answered.
      const socket = connect(port, '127.0.0.1');
      let response = '';
      socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      const body = JSON.stringify({ probe: 'in-flight' });
      socket.write(
        `POST /nowhere HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nX-Request-ID: in-flight\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const exited = server.stop('SIGTERM');
      await eventually(() => expect(server.output).toContain('finishing in-flight requests'));
      socket.end(body.slice(5));
      await closed;
      expect(response).toMatch(/^HTTP\/1\.1 404/);
      expect(response).toContain('"requestId":"in-flight"');
      expect(await exited).toBe(0);
    } finally {
      await server.stop();
      await database.drop();
    }
  });

  describe('on the embedded PostgreSQL (no DATABASE_URL)', () => {
    const dataRoot = mkdtempSync(join(tmpdir(), 'sah-embedded-'));
    // As root, the embedded server runs as the `postgres` user, which must reach its data folder.
    chmodSync(dataRoot, 0o755);
    afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

    async function startEmbedded(): Promise<{ server: ServerProcess; port: number }> {
      const port = await freePort();
      const server = ServerProcess.start({
        PORT: String(port),
        HOST: '127.0.0.1',
        EMBEDDED_PG_DIR: join(dataRoot, 'postgres'),
        EMBEDDED_PG_PORT: String(await freePort()),
      });
      try {
        await waitReady(port, 60_000);
      } catch (error) {
        await server.stop();
        throw new Error(`not ready within 60 s: ${String(error)}\n${server.output}`);
      }
      return { server, port };
    }

    it('becomes ready, stops cleanly on SIGTERM and reuses its data on the next start', async () => {
      const first = await startEmbedded();
      expect(first.server.output).toContain('using the embedded PostgreSQL');
      expect(first.server.output).toContain('"reusedData":false');
      expect(first.server.output).toContain('single-instance mode');
      expect(await first.server.stop('SIGTERM')).toBe(0);
      expect(first.server.output).toContain('Shut down cleanly');

      const second = await startEmbedded();
      expect(second.server.output).toContain('"reusedData":true');
      expect(await second.server.stop('SIGINT')).toBe(0);
    }, 150_000);
  });
});
