import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './free-port';

/**
 * A private redis-server on its own port, for tests that need Redis to fail: the shared one is
 * never stopped, flushed or reconfigured.
 */
export class PrivateRedisServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    /** With a folder, an append-only file keeps the data across restarts. */
    private readonly dataDir?: string,
  ) {}

  static async start(
    port?: number,
    options: { persistent?: boolean } = {},
  ): Promise<PrivateRedisServer> {
    const dataDir = options.persistent ? mkdtempSync(join(tmpdir(), 'sah-redis-')) : undefined;
    const server = new PrivateRedisServer(port ?? (await freePort()), dataDir);
    await server.resume();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server on the same port; `fresh` drops what a persistent one had kept. */
  async resume(options: { fresh?: boolean } = {}): Promise<void> {
    if (options.fresh && this.dataDir) {
      rmSync(this.dataDir, { recursive: true, force: true });
      mkdirSync(this.dataDir);
    }
    const persistence = this.dataDir
      ? ['--dir', this.dataDir, '--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }

  /** Runs one command on a short-lived connection of its own. */
  async command(name: string, ...args: string[]): Promise<unknown> {
    const client = new Redis(this.url);
    try {
      return await client.call(name, ...args);
    } finally {
      client.disconnect();
    }
  }

  /** SIGSTOP: the process stops answering but its connections stay open (as in a partition). */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGCONT'); // a frozen server handles SIGTERM only once it runs again
      child.kill('SIGTERM');
    });
    this.process = undefined;
  }
}
