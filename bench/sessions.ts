import autocannon from 'autocannon';
import { Client } from 'pg';
import { generateSessionToken, hashSessionToken } from '../src/session/session-token';
import {
  BenchServer,
  load,
  machine,
  markdownRow,
  runBenchmark,
  withBenchServer,
  writeBenchmarkSection,
} from './support';

const USERS = 1000;
const SESSIONS_PER_USER = 10;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

/** 10,000 live, claimed sessions over 1,000 users, inserted in bulk; returns their tokens. */
async function seedSessions(databaseUrl: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const users = await client.query<{ id: string }>(
      `INSERT INTO users (email, name) SELECT 'bench-' || g || '@example.test', 'Bench ' || g
       FROM generate_series(1, $1) g RETURNING id`,
      [USERS],
    );
    const tokens: string[] = [];
    const rows: string[][] = [];
    for (const { id } of users.rows) {
      for (let i = 0; i < SESSIONS_PER_USER; i++) {
        const token = generateSessionToken();
        tokens.push(token);
        rows.push([hashSessionToken(token), id]);
      }
    }
    await client.query(
      `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, claimed_at)
       SELECT h, u::uuid, now(), now() + interval '7 days', now()
       FROM unnest($1::text[], $2::text[]) AS t(h, u)`,
      [rows.map((r) => r[0]), rows.map((r) => r[1])],
    );
    return tokens;
  } finally {
    await client.end();
  }
}

async function main({ database, server }: BenchServer): Promise<void> {
  const tokens = await seedSessions(database.url);
  let next = 0;
  const options = { connections: CONNECTIONS, duration: DURATION_S };
  // Warm-up: one pass over every token fills the cache as production traffic would. Counted in
  // requests, not seconds: a slow machine got through only part of the tokens in 3 s, so the
  // measured phase mostly timed cache misses.
  await load({
    ...options,
    amount: tokens.length,
    url: `${server.url}/api/auth/verify-session`,
    requests: [verifyRequest()],
  });
  const health = await load({ ...options, url: `${server.url}/health` });
  const verify = await load({
    ...options,
    url: `${server.url}/api/auth/verify-session`,
    requests: [verifyRequest()],
  });

  function verifyRequest(): autocannon.Request {
    return {
      method: 'GET',
      setupRequest: (req) => ({
        ...req,
        headers: { ...req.headers, 'x-session-token': tokens[next++ % tokens.length] },
      }),
    };
  }

  const ratio = verify.requestsPerSecond / health.requestsPerSecond;
  const markdown = [
    '## verify-session (`npm run bench:sessions`)',
    '',
    `Run ${new Date().toISOString()} on ${await machine(database.url)}.`,
    `Server in its own process (LOG_LEVEL=warn), PostgreSQL and Redis on the same machine, autocannon with ${CONNECTIONS} connections for ${DURATION_S} s per endpoint after a warm-up of one request per session (it fills the cache); ${tokens.length.toLocaleString('en-US')} live sessions of ${USERS.toLocaleString('en-US')} users, each request a different token in turn.`,
    '',
    '| Endpoint | Requests/s | p50 ms | p99 ms | Requests | Non-2xx |',
    '|---|---|---|---|---|---|',
    markdownRow('`GET /health` (baseline)', health),
    markdownRow('`GET /api/auth/verify-session`', verify),
    '',
    `verify-session reaches **${(ratio * 100).toFixed(0)}%** of the baseline's throughput (target ≥ 50%), p99 ${verify.p99Ms} ms (target < 10 ms).`,
  ].join('\n');
  writeBenchmarkSection('sessions', markdown);
  process.stdout.write(`${markdown}\n`);
  if (verify.non2xx > 0) throw new Error(`${verify.non2xx} verify-session requests failed`);
}

runBenchmark(() => withBenchServer({}, main));
