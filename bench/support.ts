import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { freePort } from '../test/support/free-port';

const ROOT = join(__dirname, '..', '..');
export const ADMIN_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A throwaway database for one benchmark run. */
export async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sah_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: ADMIN_DATABASE_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface BenchServer {
  database: { url: string };
  server: { url: string };
  /** Every instance started (`instances` option); `server` is the first. */
  servers: { url: string; pid: number; log: string }[];
}

/**
 * One benchmark run's throwaway database and the built server on it (local Redis under a key
 * prefix of its own, plus `env`); both are gone afterwards, except that BENCH_KEEP_DATABASE=1
 * leaves the database for EXPLAIN by hand.
 */
export async function withBenchServer(
  env: Record<string, string>,
  run: (bench: BenchServer) => Promise<void>,
  options: { instances?: number } = {},
): Promise<void> {
  const database = await createBenchDatabase();
  try {
    const shared = {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: `bench:${Date.now()}:`,
      ...env,
    };
    // Instances share the database and Redis, as behind a load balancer; started one by one.
    const servers: Awaited<ReturnType<typeof startServer>>[] = [];
    try {
      for (let i = 0; i < (options.instances ?? 1); i++) servers.push(await startServer(shared));
      await run({ database, server: servers[0], servers });
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  } finally {
    if (process.env.BENCH_KEEP_DATABASE === '1') process.stdout.write(`Kept ${database.url}\n`);
    else await database.drop();
  }
}

/** Runs a benchmark's entry point; a failure prints its stack and exits 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  });
}

/**
 * The built server as a separate process, so the load generator does not share its event loop.
 * Its log (JSON lines at LOG_LEVEL, warn by default) goes to `log`, a file kept after the run, so
 * a failure seen by the benchmark can be traced to its cause (`serverErrors`).
 */
export async function startServer(
  env: Record<string, string>,
): Promise<{ url: string; pid: number; log: string; stop(): Promise<void> }> {
  const port = await freePort();
  const log = join(tmpdir(), `bench-server-${port}.log`);
  const logFd = openSync(log, 'w');
  const child: ChildProcess = spawn(
    process.execPath,
    // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the server.
    [
      ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      join(ROOT, 'dist', 'src', 'main.js'),
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', logFd, 'inherit'],
    },
  );
  closeSync(logFd);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error('server did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    pid: child.pid!,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The error-level lines (pino level ≥ 50) of a server's log, as `msg: err.message` strings. */
export function serverErrors(log: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as {
          level?: number;
          msg?: string;
          err?: { message?: string };
        };
        return (entry.level ?? 0) >= 50
          ? [`${entry.msg}${entry.err ? `: ${entry.err.message}` : ''}`]
          : [];
      } catch {
        return [];
      }
    });
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Connection errors and timeouts (a timed-out request may still have been served). */
  errors: number;
  total: number;
}

export async function load(options: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon({ connections: 32, duration: 10, ...options });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

/** One row of a results table: `| name | req/s | p50 | p99 | requests | non-2xx |`. */
export function markdownRow(name: string, r: LoadResult): string {
  return `| ${name} | ${r.requestsPerSecond.toLocaleString('en-US')} | ${r.p50Ms} | ${r.p99Ms} | ${r.total.toLocaleString('en-US')} | ${r.non2xx} |`;
}

export async function machine(databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const [{ server_version }] = (
    await client.query<{ server_version: string }>('SHOW server_version')
  ).rows;
  await client.end();
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${server_version}, Redis local`;
}

/** Replaces (or appends) the section between `<!-- bench:name -->` markers in BENCHMARKS.md. */
export function writeBenchmarkSection(name: string, markdown: string): void {
  const file = join(ROOT, 'BENCHMARKS.md');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const section = `${start}\n${markdown.trim()}\n${end}`;
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  writeFileSync(
    file,
    pattern.test(current)
      ? current.replace(pattern, section)
      : `${current.trimEnd()}\n\n${section}\n`,
  );
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) in parentheses; utime and stime are
  // the 14th and 15th fields, in clock ticks of 10 ms.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
