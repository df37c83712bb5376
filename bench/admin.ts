import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { UsersRepository } from '../src/auth/users.repository';
import { LedgerReportsRepository } from '../src/credits/ledger-reports.repository';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import {
  BenchServer,
  machine,
  runBenchmark,
  withBenchServer,
  writeBenchmarkSection,
} from './support';

const USERS = 10_000;
const LEDGER_ROWS = 1_000_000;
const DAYS = 90;
const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const WARM_UP = 3;
const TARGET_MS = 200;
const ADMIN = { email: 'bench-admin@example.test', password: 'bench admin password 1' };
const SEARCH = 'somchai';

/**
 * 10,000 users and 1,000,000 ledger rows spread over the last 90 days, in set-based statements
 * (generate_series), never row by row. Rows keep each one's arithmetic (balance_after =
 * balance_before + amount ≥ 0); the mix: 70% deductions over 5 services, 15% chat with a model,
 * 5% refunds, 10% top-ups and promos.
 */
async function seed(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SELECT setseed(0.42)`);
    await client.query(
      `INSERT INTO users (email, name, created_at, updated_at)
       SELECT lower(f) || '.' || lower(l) || g || '@' || d, f || ' ' || l, c, c
         FROM generate_series(1, $1::int) g,
              LATERAL (SELECT (ARRAY['Somchai','Malee','Anan','Ploy','Kittisak','Nok','Arthit',
                                      'Siriporn','John','Mary','Wei','Aiko','Lucas','Emma',
                                      'Omar','Sofia','Ivan','Nadia','Kofi','Lea'])[1 + g % 20] AS f,
                             (ARRAY['Jaidee','Srisuk','Wong','Smith','Tanaka','Silva','Khan',
                                      'Muller','Rossi','Nguyen','Kowalski'])[1 + (g / 20) % 11] AS l,
                             (ARRAY['example.com','mail.test','corp.example','hub.test'])[1 + g % 4] AS d,
                             now() - (random() * 365) * interval '1 day' AS c) n`,
      [USERS],
    );
    await client.query(
      `INSERT INTO credit_accounts (user_id, balance) SELECT id, 0 FROM users ON CONFLICT DO NOTHING`,
    );
    await client.query(
      `INSERT INTO credit_transactions (user_id, type, service, amount, balance_before, balance_after,
                                        metadata, actor, created_at)
       SELECT u.ids[1 + floor(random() * $2)::int], k.type, k.service, k.amount,
              CASE WHEN k.amount < 0 THEN -k.amount ELSE 0 END,
              CASE WHEN k.amount < 0 THEN 0 ELSE k.amount END,
              k.metadata, k.actor, now() - random() * ($3 * interval '1 day')
         FROM generate_series(1, $1::int) g,
              (SELECT array_agg(id) AS ids FROM users) u,
              LATERAL (SELECT random() AS r, g AS n) x,
              LATERAL (SELECT
                CASE WHEN x.r < 0.70 THEN 'deduct' WHEN x.r < 0.85 THEN 'chat'
                     WHEN x.r < 0.90 THEN 'refund' WHEN x.r < 0.97 THEN 'topup' ELSE 'promo' END AS type,
                CASE WHEN x.r < 0.70 THEN (ARRAY['sora2-video-generation','image-gen','tts','stt','search'])[1 + x.n % 5]
                     WHEN x.r < 0.85 THEN 'chat' WHEN x.r < 0.90 THEN 'sora2-video-generation' END AS service,
                CASE WHEN x.r < 0.85 THEN -round((1 + x.n % 50)::numeric / 10, 4)
                     WHEN x.r < 0.90 THEN round((1 + x.n % 50)::numeric / 10, 4)
                     ELSE (10 * (1 + x.n % 10))::numeric END AS amount,
                CASE WHEN x.r >= 0.70 AND x.r < 0.85
                     THEN jsonb_build_object('model', (ARRAY['gpt-4o','gpt-4o-mini','claude-sonnet-4'])[1 + x.n % 3],
                                             'tokens', 100 + x.n % 4000)
                     ELSE '{}'::jsonb END AS metadata,
                CASE WHEN x.r < 0.90 THEN 'api_key:sora2' ELSE 'admin:bench' END AS actor) k`,
      [LEDGER_ROWS, USERS, DAYS],
    );
    // Index-only scans need the visibility map; autovacuum sets it on insert-only tables too
    // (PostgreSQL ≥ 13), the bench just does not wait for it.
    await client.query(`VACUUM ANALYZE users`);
    await client.query(`VACUUM ANALYZE credit_transactions`);
  } finally {
    await client.end();
  }
}

/** A TypeORM connection that remembers the last statement, to EXPLAIN exactly what the app runs. */
class CapturingLogger implements TypeOrmLogger {
  /** The last SELECT, and the `SET LOCAL` settings it ran under. */
  last: { sql: string; params: unknown[] } | null = null;
  settings: string[] = [];
  logQuery(query: string, parameters?: unknown[]): void {
    if (/^\s*SET LOCAL/i.test(query)) this.settings.push(query);
    if (/^\s*SELECT/i.test(query)) this.last = { sql: query, params: parameters ?? [] };
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

const KEY_LINE =
  /(Scan|Aggregate|Sort|Gather|Hash|Limit|BitmapOr|Recheck|Index Cond|Heap Fetches|Workers|Planning Time|Execution Time)/;

async function explain(
  dataSource: DataSource,
  logger: CapturingLogger,
  run: () => Promise<unknown>,
): Promise<string[]> {
  logger.settings = [];
  await run();
  const { sql, params } = logger.last!;
  // Copied first: the statements below are logged too.
  const settings = [...logger.settings];
  const plan = await dataSource.transaction(async (tx) => {
    for (const setting of settings) await tx.query(setting);
    return tx.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  });
  return plan
    .map((row) => row['QUERY PLAN'])
    .filter((line) => KEY_LINE.test(line))
    .map((line) => line.replace(/\s+$/, ''));
}

interface Timing {
  p50: number;
  p95: number;
  rows: number;
}

async function time(url: string, token: string): Promise<Timing> {
  const once = async () => {
    const started = performance.now();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await res.json()) as unknown[] | { items: unknown[] };
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`${url} → ${res.status}`);
    return { ms, rows: Array.isArray(body) ? body.length : body.items.length };
  };
  for (let i = 0; i < WARM_UP; i++) await once();
  const samples: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    samples.push(r.ms);
    rows = r.rows;
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: round(at(0.5)), p95: round(at(0.95)), rows };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const progress = (step: string) => process.stderr.write(`[bench:admin] ${step}\n`);

async function main({ database, server }: BenchServer): Promise<void> {
  const logger = new CapturingLogger();
  const dataSource = new DataSource({
    ...buildDataSourceOptions(database.url, 2),
    logging: ['query'],
    logger,
  });
  try {
    progress('seeding');
    const seedStart = performance.now();
    await seed(database.url);
    progress('seeded');
    const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10;
    await dataSource.initialize();

    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };

    const to = new Date();
    const from = new Date(to.getTime() - 30 * 86_400_000);
    const range = `from=${from.toISOString()}&to=${to.toISOString()}`;
    const cases = [
      {
        name: '30-day usage, `group_by=day`',
        url: `${server.url}/api/admin/usage?group_by=day&${range}`,
        explain: () => new LedgerReportsRepository(dataSource).usage('day', { from, to }),
      },
      {
        name: '30-day usage, `group_by=service`',
        url: `${server.url}/api/admin/usage?group_by=service&${range}`,
        explain: () => new LedgerReportsRepository(dataSource).usage('service', { from, to }),
      },
      {
        name: `users search \`search=${SEARCH}\` (first page of 50)`,
        url: `${server.url}/api/admin/users?search=${SEARCH}`,
        explain: () => new UsersRepository(dataSource).search({ search: SEARCH }, 51),
      },
    ];
    const results: { name: string; timing: Timing; plan: string[] }[] = [];
    for (const c of cases) {
      progress(`timing ${c.name}`);
      const timing = await time(c.url, token);
      progress(`explaining ${c.name}`);
      const plan = await explain(dataSource, logger, c.explain);
      results.push({ name: c.name, timing, plan });
    }

    const markdown = [
      '## Admin queries (`npm run bench:admin`)',
      '',
      `Run ${new Date().toISOString()} on ${await machine(database.url)}.`,
      `Seeded ${USERS.toLocaleString('en-US')} users and ${LEDGER_ROWS.toLocaleString('en-US')} ledger rows over ${DAYS} days with \`generate_series\` in ${seedSeconds} s, then \`VACUUM ANALYZE\`. Each request through the server in its own process (HTTP, JWT admin, JSON), ${WARM_UP} warm-up requests then ${RUNS} timed one after another.`,
      '',
      '| Request | Rows returned | p50 ms | p95 ms | Target p50 |',
      '|---|---|---|---|---|',
      ...results.map(
        (r) =>
          `| ${r.name} | ${r.timing.rows} | ${r.timing.p50} | ${r.timing.p95} | < ${TARGET_MS} ms ${r.timing.p50 < TARGET_MS ? '✓' : '✗'} |`,
      ),
      '',
      ...results.flatMap((r) => [
        `EXPLAIN (ANALYZE, BUFFERS) key lines, ${r.name}:`,
        '',
        '```',
        ...r.plan,
        '```',
        '',
      ]),
    ].join('\n');
    writeBenchmarkSection('admin', markdown);
    process.stdout.write(`${markdown}\n`);
    const slow = results.filter((r) => r.timing.p50 >= TARGET_MS);
    if (slow.length) process.stderr.write(`Above target: ${slow.map((r) => r.name).join(', ')}\n`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

runBenchmark(() =>
  withBenchServer(
    { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, RATE_LIMIT_PER_MINUTE: '1000000' },
    main,
  ),
);
