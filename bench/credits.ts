import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const POOL_SIZE = 20; // the server's DATABASE_POOL_SIZE default; the baseline gets the same
const COST = '0.01';
const START_BALANCE = '1000000';
const API_KEY = 'sah_bench_0123456789abcdefghijklmnopqrstuvwxyz';
const CREDITS = '/api/mcp/v1/credits';
// Long enough that no request times out on a loaded machine: a timed-out request would still
// commit, and autocannon would count it as neither success nor failure.
const TIMEOUT_S = 120;

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
 * The best a single statement does: the conditional UPDATE and the ledger INSERT in one CTE,
 * autocommitted, prepared, from CONNECTIONS concurrent clients over a pool of POOL_SIZE, no
 * HTTP, no Nest, no idempotency, no key check.
 */
async function rawBaseline(databaseUrl: string, userIds: string[]): Promise<LoadResult> {
  const pool = new Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  const latencies: number[] = [];
  let next = 0;
  let refused = 0;
  const deadline = performance.now() + DURATION_S * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const userId = userIds[next++ % userIds.length];
      const started = performance.now();
      const result = await pool.query({
        name: 'baseline_deduct',
        text: `WITH moved AS (
                 UPDATE credit_accounts SET balance = balance - $2::numeric, updated_at = now()
                  WHERE user_id = $1 AND available >= $2::numeric RETURNING balance)
               INSERT INTO credit_transactions (user_id, type, service, amount, balance_before,
                 balance_after, actor, created_at)
               SELECT $1, 'deduct', 'bench', -$2::numeric, balance + $2::numeric, balance,
                      'api_key:baseline', now() FROM moved
               RETURNING id`,
        values: [userId, COST],
      });
      if (result.rowCount !== 1) refused += 1;
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
    non2xx: refused,
    errors: 0,
    total: latencies.length,
  };
}

function headers(userId: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-api-key': API_KEY, 'x-user-id': userId };
}

function deducts(url: string, userIds: string[]): Promise<LoadResult> {
  let next = 0;
  return load({
    url: `${url}${CREDITS}/deduct`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    timeout: TIMEOUT_S,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: autocannon.Request) => ({
          ...req,
          headers: headers(userIds[next++ % userIds.length]),
          body: JSON.stringify({ service: 'bench', cost: COST }),
        }),
      },
    ],
  });
}

/** Reserve then capture, as a chat or a video render does: autocannon counts both requests. */
async function holdPairs(url: string, userIds: string[]): Promise<LoadResult> {
  let next = 0;
  type Context = { userId?: string; holdId?: string };
  const result = await load({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    timeout: TIMEOUT_S,
    requests: [
      {
        method: 'POST',
        path: `${CREDITS}/holds`,
        setupRequest: (req: autocannon.Request, context: Context) => {
          context.userId = userIds[next++ % userIds.length];
          return {
            ...req,
            headers: headers(context.userId),
            body: JSON.stringify({ service: 'bench', amount: '0.05', ttl_seconds: 600 }),
          };
        },
        onResponse: (_status: number, body: string, context: Context) => {
          context.holdId = (JSON.parse(body) as { hold_id: string }).hold_id;
        },
      },
      {
        method: 'POST',
        setupRequest: (req: autocannon.Request, context: Context) => ({
          ...req,
          path: `${CREDITS}/holds/${context.holdId}/capture`,
          headers: headers(context.userId!),
          body: JSON.stringify({ amount: COST }),
        }),
      },
    ],
  });
  // One pair = two requests.
  return { ...result, requestsPerSecond: Math.round(result.requestsPerSecond / 2) };
}

/**
 * Zero lost or duplicated updates, for EVERY account: balance = Σ ledger and held = Σ active
 * holds; and for the deduct cases, the deduct rows match the successes autocannon counted
 * (requests still in flight at the stop, at most one per connection, commit uncounted).
 */
async function verify(
  databaseUrl: string,
  cases: { label: string; userIds: string[]; successes: number; inFlight: number }[],
): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: broken } = await client.query(
      `SELECT a.user_id FROM credit_accounts a
        WHERE a.balance <> (SELECT coalesce(sum(t.amount), 0) FROM credit_transactions t
                             WHERE t.user_id = a.user_id)
           OR a.held <> (SELECT coalesce(sum(h.amount), 0) FROM credit_holds h
                          WHERE h.user_id = a.user_id AND h.status = 'active')`,
    );
    const [{ n: accounts }] = (
      await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM credit_accounts`)
    ).rows;
    if (broken.length > 0) throw new Error(`${broken.length} accounts break the invariants`);
    const lines = [
      `${Number(accounts).toLocaleString('en-US')} accounts: balance = Σ ledger and held = Σ active holds for every one ✓`,
    ];
    for (const c of cases) {
      const [{ n }] = (
        await client.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM credit_transactions
            WHERE user_id = ANY($1::uuid[]) AND type = 'deduct'`,
          [c.userIds],
        )
      ).rows;
      const uncounted = Number(n) - c.successes;
      if (uncounted < 0 || uncounted > c.inFlight) {
        throw new Error(`${c.label}: ${c.successes} successes but ${n} deduct rows`);
      }
      lines.push(
        `${c.label}: ${Number(n).toLocaleString('en-US')} deduct rows for ${c.successes.toLocaleString('en-US')} counted successes (+${uncounted} in flight at the stop) ✓`,
      );
    }
    return lines;
  } finally {
    await client.end();
  }
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

async function main({ database, server }: BenchServer): Promise<void> {
  const warm = await seedUsers(database.url, 10, 'warm');
  await load({ url: `${server.url}/health`, duration: 2, connections: 8 });
  await deducts(server.url, warm); // warm-up: JIT, pools, prepared statements

  const table: string[] = [];
  const ratios: string[] = [];
  const checks: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const hotHttpUser = await seedUsers(database.url, 1, `hot-http-${round}`);
    const hotRawUser = await seedUsers(database.url, 1, `hot-raw-${round}`);
    const many = await seedUsers(database.url, USERS, `many-${round}`);
    const holders = await seedUsers(database.url, USERS, `holds-${round}`);

    const health = await load({
      url: `${server.url}/health`,
      connections: CONNECTIONS,
      duration: DURATION_S,
    });
    const hotRaw = await rawBaseline(database.url, hotRawUser);
    const hotHttp = await deducts(server.url, hotHttpUser);
    const manyHttp = await deducts(server.url, many);
    const pairs = await holdPairs(server.url, holders);
    const failed =
      hotHttp.non2xx +
      manyHttp.non2xx +
      pairs.non2xx +
      hotRaw.non2xx +
      hotHttp.errors +
      manyHttp.errors +
      pairs.errors;
    if (failed) throw new Error(`${failed} requests failed in round ${round}`);

    table.push(
      markdownRow(`${round}: \`/health\``, health),
      markdownRow(`${round}: hot user, raw SQL (one CTE statement)`, hotRaw),
      markdownRow(`${round}: hot user, HTTP deduct`, hotHttp),
      markdownRow(`${round}: ${USERS.toLocaleString('en-US')} users, HTTP deduct`, manyHttp),
      markdownRow(
        `${round}: ${USERS.toLocaleString('en-US')} users, HTTP reserve + capture (pairs/s)`,
        pairs,
      ),
    );
    const hot = hotHttp.requestsPerSecond / hotRaw.requestsPerSecond;
    const spread = manyHttp.requestsPerSecond / health.requestsPerSecond;
    const holds = pairs.requestsPerSecond / manyHttp.requestsPerSecond;
    ratios.push(
      `| ${round} | ${pct(hot)} ${hot >= 0.8 ? '✓' : '✗'} | ${pct(spread)} ${spread >= 0.6 ? '✓' : '✗'} | ${pct(holds)} ${holds >= 0.5 ? '✓' : '✗'} |`,
    );
    checks.push(
      ...(
        await verify(database.url, [
          {
            label: `round ${round}, hot user`,
            userIds: hotHttpUser,
            successes: hotHttp.total,
            inFlight: CONNECTIONS,
          },
          {
            label: `round ${round}, ${USERS} users`,
            userIds: many,
            successes: manyHttp.total,
            inFlight: CONNECTIONS,
          },
        ])
      ).map((line) => `after round ${round}: ${line}`),
    );
  }

  const markdown = [
    '## Credit money core (`npm run bench:credits`)',
    '',
    `Run ${new Date().toISOString()} on ${await machine(database.url)}. The machine was shared with other work (several engineers' test suites): read the ratios, not the digits.`,
    `Server in its own process (LOG_LEVEL=warn, DATABASE_POOL_SIZE=${POOL_SIZE}, Redis for the per-key rate limit), autocannon with ${CONNECTIONS} connections for ${DURATION_S} s per case after a warm-up, ${ROUNDS} rounds, each on fresh accounts. HTTP requests carry an integration key (\`X-API-Key\`, \`X-User-ID\`) and no Idempotency-Key. The raw SQL baseline is the best single statement (conditional \`UPDATE … WHERE available >= cost\` and the ledger \`INSERT\` in one CTE, prepared, autocommit) from ${CONNECTIONS} clients over a \`pg\` pool of ${POOL_SIZE}: no HTTP, no key check, no idempotency.`,
    '',
    '| Case | Requests/s | p50 ms | p99 ms | Requests | Non-2xx |',
    '|---|---|---|---|---|---|',
    ...table,
    '',
    '| Round | hot user: HTTP ÷ raw SQL (target ≥ 80%) | 1,000 users: HTTP deduct ÷ `/health` (≥ 60%) | reserve + capture pairs ÷ deducts (≥ 50%) |',
    '|---|---|---|---|',
    ...ratios,
    '',
    'Checked in the database after every round (zero lost or duplicated updates):',
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
