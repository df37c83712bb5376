import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
import { hashIntegrationKey } from '../src/integration-keys/integration-keys.service';
import {
  BenchServer,
  load,
  LoadResult,
  machine,
  markdownRow,
  runBenchmark,
  withBenchServer,
  writeBenchmarkSection,
} from './support';

const USERS = 1000;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const POOL_SIZE = 20; // the server's DATABASE_POOL_SIZE default; the baseline gets the same
const COST = '0.01';
const COST_UNITS = 100n; // 0.01 in units of 0.0001
const START_BALANCE = '1000000';
const API_KEY = 'sah_bench_0123456789abcdefghijklmnopqrstuvwxyz';

/** Users with accounts funded by a `topup` ledger row each (so the ledger sums to the balance). */
async function seedUsers(databaseUrl: string, count: number, label: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const users = await client.query<{ id: string }>(
      `INSERT INTO users (email, name) SELECT $2 || '-' || g || '@example.test', 'Bench ' || g
       FROM generate_series(1, $1) g RETURNING id`,
      [count, label],
    );
    const ids = users.rows.map((r) => r.id);
    await client.query(
      `INSERT INTO credit_accounts (user_id, balance) SELECT u, $2::numeric FROM unnest($1::uuid[]) u`,
      [ids, START_BALANCE],
    );
    await client.query(
      `INSERT INTO credit_transactions (user_id, type, amount, balance_before, balance_after, actor)
       SELECT u, 'topup', $2::numeric, 0, $2::numeric, 'admin:bench' FROM unnest($1::uuid[]) u`,
      [ids, START_BALANCE],
    );
    return ids;
  } finally {
    await client.end();
  }
}

/**
 * The statements one HTTP deduct sends (key lookup, then the transaction: lock, active holds,
 * balance update + ledger insert, commit), straight through `pg` from 64 concurrent clients.
 */
async function rawBaseline(databaseUrl: string, userIds: string[]): Promise<LoadResult> {
  const pool = new Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  const keyHash = hashIntegrationKey(API_KEY);
  const latencies: number[] = [];
  let next = 0;
  const deadline = performance.now() + DURATION_S * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const userId = userIds[next++ % userIds.length];
      const started = performance.now();
      await pool.query(
        `SELECT id, name, prefix, scopes, source, created_by, created_at, last_used_at, revoked_at
           FROM integration_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
        [keyHash],
      );
      const conn = await pool.connect();
      try {
        await conn.query('START TRANSACTION');
        await conn.query(
          `SELECT a.user_id, a.balance, u.status AS user_status
             FROM credit_accounts a JOIN users u ON u.id = a.user_id
            WHERE a.user_id = $1 FOR UPDATE OF a`,
          [userId],
        );
        const now = new Date();
        await conn.query(
          `SELECT coalesce(sum(amount), 0) AS held FROM credit_holds
            WHERE user_id = $1 AND status = 'active' AND expires_at > $2`,
          [userId, now],
        );
        await conn.query(
          `WITH moved AS (
             UPDATE credit_accounts SET balance = balance + $2::numeric, updated_at = $9
              WHERE user_id = $1 RETURNING balance)
           INSERT INTO credit_transactions (user_id, type, service, amount, balance_before, balance_after,
             metadata, idempotency_key, refunds_transaction_id, actor, created_at)
           SELECT $1, $3, $4, $2::numeric, moved.balance - $2::numeric, moved.balance, $5::jsonb, $6, $7,
                  $8, $9
             FROM moved
           RETURNING id, user_id, type, service, amount, balance_before, balance_after, metadata,
             refunds_transaction_id, actor, created_at`,
          [userId, `-${COST}`, 'deduct', 'bench', '{}', null, null, 'api_key:baseline', now],
        );
        await conn.query('COMMIT');
      } finally {
        conn.release();
      }
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, client));
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round(latencies[Math.floor((latencies.length - 1) * p)] * 10) / 10;
  return {
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    non2xx: 0,
    total: latencies.length,
  };
}

async function viaHttp(url: string, userIds: string[]): Promise<LoadResult> {
  let next = 0;
  return load({
    url: `${url}/api/mcp/v1/credits/deduct`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: autocannon.Request) => ({
          ...req,
          headers: {
            'content-type': 'application/json',
            'x-api-key': API_KEY,
            'x-user-id': userIds[next++ % userIds.length],
          },
          body: JSON.stringify({ service: 'bench', cost: COST }),
        }),
      },
    ],
  });
}

/**
 * Zero lost updates: for every account, balance = sum(ledger) and balance = start − cost × its
 * deduct rows; the number of deduct rows equals the successful deducts counted by the client.
 */
async function verify(
  databaseUrl: string,
  userIds: string[],
  successes: number,
  inFlightAtStop: number,
): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ balance: string; ledger: string; deducts: string }>(
      `SELECT a.balance::text,
              (SELECT sum(amount) FROM credit_transactions t WHERE t.user_id = a.user_id)::text AS ledger,
              (SELECT count(*) FROM credit_transactions t
                WHERE t.user_id = a.user_id AND t.type = 'deduct')::text AS deducts
         FROM credit_accounts a WHERE a.user_id = ANY($1::uuid[])`,
      [userIds],
    );
    let deducts = 0n;
    for (const row of rows) {
      const expected = BigInt(START_BALANCE) * 10_000n - BigInt(row.deducts) * COST_UNITS;
      const balance = BigInt(row.balance.replace('.', ''));
      if (row.balance !== row.ledger || balance !== expected) {
        throw new Error(
          `Lost update: balance ${row.balance}, ledger ${row.ledger}, deducts ${row.deducts}`,
        );
      }
      deducts += BigInt(row.deducts);
    }
    // autocannon stops counting at the deadline: requests still in flight then (at most one per
    // connection) commit without being counted. The raw baseline waits for its last ones.
    const uncounted = deducts - BigInt(successes);
    if (uncounted < 0n || uncounted > BigInt(inFlightAtStop)) {
      throw new Error(`${successes} successful deducts but ${deducts} ledger rows`);
    }
    return `${deducts.toLocaleString('en-US')} deduct rows for ${successes.toLocaleString('en-US')} counted successes (+${uncounted} in flight at the stop), ${rows.length.toLocaleString('en-US')} account(s): balance = ledger sum = start − cost × rows ✓`;
  } finally {
    await client.end();
  }
}

async function main({ database, server }: BenchServer): Promise<void> {
  const hotHttp = await seedUsers(database.url, 1, 'hot-http');
  const hotRaw = await seedUsers(database.url, 1, 'hot-raw');
  const manyHttp = await seedUsers(database.url, USERS, 'many-http');
  const manyRaw = await seedUsers(database.url, USERS, 'many-raw');
  const warm = await seedUsers(database.url, 10, 'warm');

  await load({ url: `${server.url}/health`, duration: 2, connections: 8 });
  await viaHttp(server.url, warm); // warm-up: JIT, pools, prepared paths

  const results = {
    hotHttp: await viaHttp(server.url, hotHttp),
    hotRaw: await rawBaseline(database.url, hotRaw),
    manyHttp: await viaHttp(server.url, manyHttp),
    manyRaw: await rawBaseline(database.url, manyRaw),
  };
  if (results.hotHttp.non2xx || results.manyHttp.non2xx) {
    throw new Error(`${results.hotHttp.non2xx + results.manyHttp.non2xx} deducts failed`);
  }
  const checks = [
    await verify(database.url, hotHttp, results.hotHttp.total, CONNECTIONS),
    await verify(database.url, hotRaw, results.hotRaw.total, 0),
    await verify(database.url, manyHttp, results.manyHttp.total, CONNECTIONS),
    await verify(database.url, manyRaw, results.manyRaw.total, 0),
  ];
  const hotRatio = results.hotHttp.requestsPerSecond / results.hotRaw.requestsPerSecond;
  const manyRatio = results.manyHttp.requestsPerSecond / results.manyRaw.requestsPerSecond;
  const markdown = [
    '## Credit deduct (`npm run bench:credits`)',
    '',
    `Run ${new Date().toISOString()} on ${await machine(database.url)}.`,
    `Server in its own process (LOG_LEVEL=warn, DATABASE_POOL_SIZE=${POOL_SIZE}, Redis for the per-key rate limit), autocannon with ${CONNECTIONS} connections for ${DURATION_S} s per case after a warm-up; each request \`POST /api/mcp/v1/credits/deduct\` of ${COST} with an integration key. The baseline sends the same SQL statements (key lookup; START TRANSACTION; account \`FOR UPDATE\`; active holds; balance update + ledger insert; COMMIT) straight through \`pg\` (pool of ${POOL_SIZE}) from ${CONNECTIONS} concurrent clients, no HTTP, no Nest.`,
    '',
    '| Case | Requests/s | p50 ms | p99 ms | Deducts | Non-2xx |',
    '|---|---|---|---|---|---|',
    markdownRow('Hot user, HTTP', results.hotHttp),
    markdownRow('Hot user, raw `pg` baseline', results.hotRaw),
    markdownRow(`${USERS.toLocaleString('en-US')} users, HTTP`, results.manyHttp),
    markdownRow(`${USERS.toLocaleString('en-US')} users, raw \`pg\` baseline`, results.manyRaw),
    '',
    `Hot user: HTTP reaches **${(hotRatio * 100).toFixed(0)}%** of the raw SQL baseline (target ≥ 50%). ${USERS.toLocaleString('en-US')} users: **${(manyRatio * 100).toFixed(0)}%**.`,
    '',
    "The hot-user case is bound by the account row lock (each deduct holds it for three statements and the commit's WAL flush), so HTTP adds little; with 1,000 users the locks do not collide and the server process's CPU (HTTP, validation, JSON, the Redis rate-limit call) is the limit on 2 cores shared with PostgreSQL, Redis and autocannon.",
    '',
    'Checked afterwards in the database (zero lost updates):',
    '',
    ...checks.map((c) => `- ${c}`),
  ].join('\n');
  writeBenchmarkSection('credits', markdown);
  process.stdout.write(`${markdown}\n`);
}

runBenchmark(() =>
  withBenchServer(
    { INTEGRATION_API_KEYS: `bench:${API_KEY}`, INTEGRATION_RATE_LIMIT_PER_MINUTE: '10000000' },
    main,
  ),
);
