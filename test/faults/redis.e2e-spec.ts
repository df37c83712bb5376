import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { eventually } from '../support/eventually';
import { call, FAULT_ADMIN, FaultCluster } from '../support/fault-cluster';

const METRICS_TOKEN = randomBytes(16).toString('hex');

/**
 * Issue 13 items 1 and 2 with real faults on a private Redis shared by two instances: SHUTDOWN
 * and restart with its data (append-only file) or without, and SIGSTOP (a frozen Redis keeps its
 * connections open, as in a partition).
 */
describe('fault: Redis shut down, restarted with and without its data, frozen', () => {
  let cluster: FaultCluster;
  let admin: string;

  beforeAll(async () => {
    cluster = await FaultCluster.start({
      instances: 2,
      redis: 'persistent',
      env: { METRICS_TOKEN: METRICS_TOKEN },
    });
    admin = await cluster.adminToken();
  }, 300_000);
  afterAll(() => cluster?.stop());

  /** A live VERIFIED session of a new user, inserted as the Google login would leave it. */
  async function liveSession(): Promise<{ id: string; token: string; user: string }> {
    const [user] = await cluster.insertUsers(1);
    const token = `VERIFIED-${randomBytes(32).toString('base64url')}`;
    const [row] = await cluster.pg.query<{ id: string }>(
      `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, claimed_at)
       VALUES ($1, $2, now(), now() + interval '7 days', now()) RETURNING id`,
      [createHash('sha256').update(token).digest('hex'), user],
      'hub',
    );
    return { id: row.id, token, user };
  }

  const verify = (instance: number, token: string) =>
    call(`${cluster.url(instance)}/api/auth/verify-session`, {
      method: 'GET',
      headers: { 'X-Session-Token': token },
      timeoutMs: 10_000,
    });

  const cachedSessionKeys = async () =>
    (await cluster.redis!.command('KEYS', 'fault:cache*session*')) as string[];

  async function bothReady(): Promise<void> {
    for (const i of [0, 1]) {
      await eventually(async () => {
        const res = await call(`${cluster.url(i)}/health/ready`, { method: 'GET' });
        expect(res?.status).toBe(200);
      }, 20_000);
    }
  }

  it('item 1: a session revoked while Redis is down stays revoked when Redis returns WITH its data', async () => {
    const session = await liveSession();
    for (const i of [0, 1]) expect((await verify(i, session.token))?.status).toBe(200);
    expect((await cachedSessionKeys()).length).toBeGreaterThan(0);
    await cluster.redis!.command('SET', 'fault:sentinel', 'kept');

    await cluster.redis!.stop();
    const revoked = await call(`${cluster.url(0)}/api/admin/sessions/${session.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${admin}` },
    });
    expect(revoked?.status).toBeLessThan(300);
    for (const i of [0, 1]) expect((await verify(i, session.token))?.status).toBe(401);

    await cluster.redis!.resume();
    // Redis came back with its data, the stale session copy included (the instance that revoked
    // may already have replayed its eviction): this is the case that used to verify 200 again.
    expect(await cluster.redis!.command('GET', 'fault:sentinel')).toBe('kept');
    const statuses: number[] = [];
    const until = Date.now() + 4000;
    let readySeen = false;
    while (Date.now() < until || !readySeen) {
      for (const i of [0, 1]) statuses.push((await verify(i, session.token))?.status ?? 0);
      if (!readySeen) {
        const ready = await Promise.all(
          [0, 1].map((i) => call(`${cluster.url(i)}/health/ready`, { method: 'GET' })),
        );
        readySeen = ready.every((r) => r?.status === 200);
      }
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
    await bothReady();
  }, 120_000);

  it('Redis down, then back WITHOUT its data: every route falls back, nothing is lost', async () => {
    const live = await liveSession();
    const gone = await liveSession();
    await call(`${cluster.url(1)}/api/admin/sessions/${gone.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${admin}` },
    });
    await cluster.fund([live.user], 10);

    await cluster.redis!.stop();
    for (const i of [0, 1]) await expectServing(i, live, gone.token);
    await cluster.redis!.resume({ fresh: true });
    await bothReady();
    for (const i of [0, 1]) await expectServing(i, live, gone.token);
  }, 120_000);

  /** The Redis breaker's counters of one instance, from its /metrics. */
  async function breaker(instance: number): Promise<Record<string, number>> {
    const res = await fetch(`${cluster.url(instance)}/metrics`, {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await res.text();
    const read = (name: string, outcome: string) =>
      Number(new RegExp(`^${name}\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    return {
      answered: read('redis_calls_total', 'answered'),
      timedOut: read('redis_calls_total', 'timed_out'),
      refused: read('redis_calls_total', 'refused'),
      trips: read('redis_breaker_trips_total', 'opened'),
    };
  }

  const delta = (after: Record<string, number>, before: Record<string, number>) =>
    Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));

  it('item 2: with Redis frozen (SIGSTOP) one timeout opens the ONE breaker of each instance; verify-session, deduct and login answer without Redis', async () => {
    const live = await liveSession();
    await cluster.fund([live.user], 1000);
    for (const i of [0, 1]) expect((await verify(i, live.token))?.status).toBe(200);

    const timings: Record<string, number[]> = {};
    const timed = async (label: string, request: () => ReturnType<typeof call>) => {
      const started = performance.now();
      const res = await request();
      (timings[label] ??= []).push(performance.now() - started);
      return res?.status;
    };
    const routes = {
      verify: (i: number) => verify(i, live.token),
      deduct: (i: number) =>
        cluster.credits(i, 'deduct', {
          user: live.user,
          key: randomUUID(),
          body: { service: 'video', cost: 1 },
          timeoutMs: 10_000,
        }),
      login: (i: number) =>
        call(`${cluster.url(i)}/api/auth/login`, { body: FAULT_ADMIN, timeoutMs: 30_000 }),
    };
    /** 25 requests of each route on each instance at once (150 in flight), all answered 200. */
    const parallel = async (phase: string) => {
      const statuses = await Promise.all(
        [0, 1].flatMap((i) =>
          Object.entries(routes).flatMap(([name, send]) =>
            Array.from({ length: 25 }, () => timed(`${name}, ${phase}`, () => send(i))),
          ),
        ),
      );
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    };

    const loads: string[] = [];
    const load = () => loads.push(loadavg()[0].toFixed(1));
    load();
    await parallel('Redis up, 150 in parallel');
    const before = await Promise.all([0, 1].map(breaker));
    cluster.redis!.freeze();
    let sequentially: Record<string, number>[];
    let inParallel: Record<string, number>[];
    try {
      load();
      for (let round = 0; round < 10; round++) {
        for (const i of [0, 1]) {
          for (const [name, send] of Object.entries(routes)) {
            expect(await timed(`${name}, frozen, one at a time`, () => send(i))).toBe(200);
          }
        }
      }
      sequentially = await Promise.all([0, 1].map(breaker));
      load();
      await parallel('frozen, 150 in parallel');
      inParallel = await Promise.all([0, 1].map(breaker));
      load();
    } finally {
      cluster.redis!.thaw();
    }
    // The structural property (speed is not asserted on a shared machine; figures → FAULTS.md):
    // on each instance the first request's calls waited the deadline (verify-session sends its
    // rate-limit count and its cache read together: two, on the two clients) and opened the ONE
    // breaker; every later Redis call of every user (rate limits, session cache, key generation,
    // login back-off) was not sent (refused by the breaker, or not tried by a caller that asks
    // `ready` first), through 30 requests one at a time and then 75 at once; none was answered.
    for (const i of [0, 1]) {
      const seq = delta(sequentially[i], before[i]);
      expect(seq).toEqual({ answered: 0, timedOut: seq.timedOut, refused: seq.refused, trips: 1 });
      expect(seq.timedOut).toBeGreaterThanOrEqual(1);
      expect(seq.timedOut).toBeLessThanOrEqual(2);
      // At least each verify-session's cache read (callers that ask `ready` first send nothing).
      expect(seq.refused).toBeGreaterThanOrEqual(10);
      const par = delta(inParallel[i], sequentially[i]);
      expect(par).toEqual({ answered: 0, timedOut: 0, refused: par.refused, trips: 0 });
      expect(par.refused).toBeGreaterThanOrEqual(25);
    }
    const summary = Object.entries(timings)
      .map(([name, ms]) => {
        const sorted = [...ms].sort((a, b) => a - b);
        const p = (q: number) =>
          sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
        return `${name}: p50 ${p(0.5).toFixed(0)} ms, p99 ${p(0.99).toFixed(0)} ms (n=${ms.length})`;
      })
      .join('; ');
    process.stdout.write(
      `[faults] Redis frozen (SIGSTOP): ${summary}; load (1 min) ${loads.join(' → ')}; breaker per instance while frozen: ${JSON.stringify(inParallel!.map((after, i) => delta(after, before[i])))}\n`,
    );

    await bothReady();
    for (const i of [0, 1]) expect((await verify(i, live.token))?.status).toBe(200);
  }, 300_000);

  async function expectServing(
    instance: number,
    live: { token: string; user: string },
    revokedToken: string,
  ): Promise<void> {
    expect((await verify(instance, live.token))?.status).toBe(200);
    expect((await verify(instance, revokedToken))?.status).toBe(401);
    const deduct = await cluster.credits(instance, 'deduct', {
      user: live.user,
      key: randomUUID(),
      body: { service: 'video', cost: 1 },
    });
    expect(deduct?.status).toBe(200);
    const login = await call(`${cluster.url(instance)}/api/auth/login`, { body: FAULT_ADMIN });
    expect(login?.status).toBe(200);
  }
});
