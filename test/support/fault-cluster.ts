import { randomBytes } from 'node:crypto';
import { eventually } from './eventually';
import { freePort } from './free-port';
import { PrivatePostgresServer } from './postgres-server';
import { PrivateRedisServer } from './redis-server';
import { ServerProcess } from './server-process';

/**
 * The fault suite's world: private PostgreSQL and Redis that a test may stop, freeze or kill, and
 * the real server (`node dist/src/main.js`) as child processes on top of them. Nothing shared is
 * touched.
 */

/** A deterministic generator (mulberry32): the same seed gives the same schedule. */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * The seed of one fault test: FAULT_SEED when given (to replay a failure), else a fresh one.
 * Printed either way, with the command that replays it.
 */
export function faultSeed(testFile: string): SeededRandom {
  const given = process.env.FAULT_SEED;
  const seed = given ? Number(given) : randomBytes(4).readUInt32BE(0);
  process.stdout.write(
    `[faults] ${testFile}: seed ${seed} (replay: FAULT_SEED=${seed} npx jest ${testFile})\n`,
  );
  return new SeededRandom(seed);
}

export const FAULT_INTEGRATION_KEY = 'sah_fault_sora2_0123456789abcdefghijklmnopqrstuv';
export const FAULT_ADMIN = { email: 'ops@example.com', password: 'fault suite 1' };

export interface FaultClusterOptions {
  instances: number;
  /** `persistent`: Redis with an append-only file, so a restart keeps its data. */
  redis?: 'persistent' | 'volatile';
  env?: Record<string, string>;
  /** Ports chosen up front (e.g. for a callback URL in `env`); free ones otherwise. */
  ports?: number[];
}

/**
 * Runs `round` once per seed: one in `npm test`, FAULT_ROUNDS of them in
 * `npm run test:faults:long` (seed, seed + 1, …).
 */
export async function forEachFaultRound(
  testFile: string,
  round: (rng: SeededRandom) => Promise<void>,
): Promise<void> {
  const first = faultSeed(testFile);
  const rounds = Math.max(1, Number(process.env.FAULT_ROUNDS ?? 1));
  for (let i = 0; i < rounds; i++) {
    await round(i === 0 ? first : new SeededRandom(first.seed + i));
  }
}

export class FaultCluster {
  readonly servers: (ServerProcess | undefined)[] = [];
  private readonly jwtSecret = randomBytes(32).toString('base64url');

  private constructor(
    readonly pg: PrivatePostgresServer,
    readonly redis: PrivateRedisServer | undefined,
    readonly databaseUrl: string,
    readonly ports: number[],
    private readonly extraEnv: Record<string, string>,
  ) {}

  static async start(options: FaultClusterOptions): Promise<FaultCluster> {
    const pg = await PrivatePostgresServer.start();
    const redis = options.redis
      ? await PrivateRedisServer.start(undefined, { persistent: options.redis === 'persistent' })
      : undefined;
    const databaseUrl = await pg.createDatabase('hub');
    const ports =
      options.ports ??
      (await Promise.all(Array.from({ length: options.instances }, () => freePort())));
    const cluster = new FaultCluster(pg, redis, databaseUrl, ports, options.env ?? {});
    try {
      // One at a time: the first applies the migrations.
      for (let i = 0; i < options.instances; i++) await cluster.startServer(i);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  url(i: number): string {
    return `http://127.0.0.1:${this.ports[i]}`;
  }

  env(i: number): Record<string, string> {
    return {
      NODE_ENV: 'test',
      PORT: String(this.ports[i]),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: this.databaseUrl,
      DATABASE_POOL_SIZE: '10',
      ...(this.redis ? { REDIS_URL: this.redis.url } : {}),
      REDIS_KEY_PREFIX: 'fault:',
      JWT_SECRET: this.jwtSecret,
      ADMIN_EMAIL: FAULT_ADMIN.email,
      ADMIN_PASSWORD: FAULT_ADMIN.password,
      INTEGRATION_API_KEYS: `sora2:${FAULT_INTEGRATION_KEY}`,
      INTEGRATION_RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_RATE_LIMIT_PER_IP: '1000000',
      AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
      SESSION_VERIFY_FAILURES_PER_MINUTE: '100000',
      SIGNUP_BONUS_CREDITS: '0',
      SHUTDOWN_TIMEOUT: '2s',
      ...this.extraEnv,
    };
  }

  /** Starts (or restarts) instance `i` on its port and waits until it answers /health. */
  async startServer(i: number): Promise<void> {
    const server = ServerProcess.start(this.env(i));
    this.servers[i] = server;
    try {
      await eventually(
        async () => {
          if (server.hasExited) return; // nothing to wait for: reported below, at once
          // Bounded: whatever else listens on the port may never answer.
          const res = await fetch(`${this.url(i)}/health`, { signal: AbortSignal.timeout(2_000) });
          if (res.status !== 200) throw new Error(`health ${res.status}`);
        },
        120_000,
        100,
      );
      if (server.hasExited) throw new Error(`exited with code ${await server.exitCode()}`);
    } catch (error) {
      throw new Error(`instance ${i} did not start: ${String(error)}\n${server.output}`);
    }
  }

  /** kill -9: no shutdown hook runs, in-flight requests die with the process. */
  async crash(i: number): Promise<void> {
    await this.servers[i]?.stop('SIGKILL');
    this.servers[i] = undefined;
  }

  /** Logs in the start-up admin and returns its access token. */
  async adminToken(i = 0): Promise<string> {
    const res = await fetch(`${this.url(i)}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(FAULT_ADMIN),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!body.access_token) throw new Error(`admin login failed: ${res.status}`);
    return body.access_token;
  }

  /** Users inserted directly (the suite is about money and faults, not sign-up). */
  async insertUsers(count: number): Promise<string[]> {
    const rows = await this.pg.query<{ id: string }>(
      `INSERT INTO users (email, name, role, status, email_verified)
       SELECT 'fault-' || g || '-' || md5(random()::text) || '@example.com', 'Fault ' || g, 'user', 'active', true
         FROM generate_series(1, $1) g RETURNING id`,
      [count],
      'hub',
    );
    return rows.map((r) => r.id);
  }

  /** Adds `credits` to each user through the admin API (a `topup` ledger row each). */
  async fund(users: string[], credits: number): Promise<void> {
    const admin = await this.adminToken();
    for (const user of users) {
      const res = await call(`${this.url(0)}/api/admin/users/${user}/credits/top-up`, {
        headers: { Authorization: `Bearer ${admin}` },
        body: { amount: credits, reason: 'fault suite' },
      });
      if (res?.status !== 200) throw new Error(`top-up failed: ${res?.status}`);
    }
  }

  /** A credit API call (`path` under /api/mcp/v1/credits) as the Sora2 integration makes it. */
  credits(
    instance: number,
    path: string,
    request: { user: string; key: string; body?: Record<string, unknown>; timeoutMs?: number },
  ): ReturnType<typeof call> {
    return call(`${this.url(instance)}/api/mcp/v1/credits/${path}`, {
      headers: {
        'X-API-Key': FAULT_INTEGRATION_KEY,
        'X-User-ID': request.user,
        'Idempotency-Key': request.key,
      },
      body: request.body,
      timeoutMs: request.timeoutMs,
    });
  }

  /** Every instance's output, for a failure message. */
  output(): string {
    return this.servers.map((s, i) => `--- instance ${i}\n${s?.output ?? '(down)'}`).join('\n');
  }

  async stop(): Promise<void> {
    for (const server of this.servers) await server?.stop('SIGKILL');
    await this.redis?.stop();
    await this.pg.destroy();
  }
}

/** A JSON request with a deadline; `undefined` when no answer came (connection died, timeout). */
export async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number },
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers } | undefined> {
  try {
    const res = await fetch(url, {
      method: init.method ?? 'POST',
      headers: {
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: res.status, body, headers: res.headers };
  } catch {
    return undefined;
  }
}
