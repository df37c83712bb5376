import { MetricsService } from '../../metrics/metrics.service';
import { CreditHoldsRepository } from '../credit-holds.repository';
import { CreditMetrics } from './credit-metrics';
import { DatabaseError } from 'pg';
import type { DataSource } from 'typeorm';
import { loadAppConfig } from '../../config/app-config';
import { FakeClock } from '../../../test/support/fake-clock';
import { InsufficientCreditsError } from '../credits.errors';
import type { CreditEvents } from '../events/credit-events';
import { CreditCore } from './credit-core';
import type { CreditOp } from './credit-operations';

type Sent = { op: string; user: string; amount: string }[];

/** A pg pool that records each statement's operations and answers what `answer` says. */
function fakePool(answer: (ops: Sent, call: number) => Promise<unknown[]> | unknown[]) {
  const calls: Sent[] = [];
  const statements: string[] = [];
  return {
    calls,
    statements,
    pool: {
      async query(q: { name: string; values: unknown[] }) {
        const ops = JSON.parse(q.values[0] as string) as Sent;
        calls.push(ops);
        statements.push(q.name);
        const call = calls.length;
        const outcomes = await answer(ops, call);
        return { rows: outcomes.map((op_outcome, op_index) => ({ op_index, op_outcome })) };
      },
    },
  };
}

/**
 * fakePool whose first statement waits until `release()` (a call in flight while others queue);
 * `answer` then decides each statement's outcomes.
 */
function firstCallHeld(answer: (ops: Sent, call: number) => unknown[]) {
  let release: (() => void) | undefined;
  const fake = fakePool(async (ops, call) => {
    if (call === 1) await new Promise<void>((resolve) => (release = resolve));
    return answer(ops, call);
  });
  return { ...fake, release: () => release!() };
}

function coreWith(
  pool: unknown,
  env: Record<string, string> = {},
  clock = new FakeClock('2026-05-01T00:00:00Z'),
): CreditCore {
  const dataSource = { driver: { master: pool } } as unknown as DataSource;
  const events = { publish: () => undefined } as unknown as CreditEvents;
  const metrics = new CreditMetrics(new MetricsService(), dataSource, new CreditHoldsRepository());
  return new CreditCore(dataSource, clock, loadAppConfig(env), events, metrics);
}

const deduct = (user: string, amount: bigint): CreditOp => ({
  op: 'deduct',
  user,
  amount,
  service: 's',
  metadata: {},
  actor: 'api_key:test',
});

const reserve = (user: string, awaitFlush?: boolean): CreditOp => ({
  op: 'reserve',
  user,
  amount: 1n,
  service: 'chat',
  metadata: {},
  actor: 'system:chat',
  expiresAt: new Date('2026-05-01T00:10:00Z'),
  awaitFlush,
});

const ok = { kind: 'ok', balance: '1.0000', held: '0.0000', available: '1.0000' };

describe('CreditCore', () => {
  it('coalesces operations arriving while calls run into one statement, in user id order, keeping each user’s order', async () => {
    const fake = firstCallHeld((ops) => ops.map(() => ok));
    const core = coreWith(fake.pool, { CREDIT_BATCH_CONCURRENCY: '1' });
    const run = (user: string, amount: bigint) =>
      core.run(deduct(user, amount), (o) => `${user}:${amount}:${o.kind}`);
    const first = run('b', 1n);
    const queued = [run('c', 1n), run('a', 1n), run('c', 2n), run('a', 2n)];
    fake.release();
    expect(await first).toBe('b:1:ok');
    expect(await Promise.all(queued)).toEqual(['c:1:ok', 'a:1:ok', 'c:2:ok', 'a:2:ok']);
    expect(fake.calls.map((ops) => ops.map((o) => `${o.user}${o.amount}`))).toEqual([
      ['b0.0001'],
      ['a0.0001', 'a0.0002', 'c0.0001', 'c0.0002'],
    ]);
  });

  it('sends what one event-loop turn brings while a call runs as one statement, beside it when told to overlap at once', async () => {
    const fake = firstCallHeld((ops) => ops.map(() => ok));
    const core = coreWith(fake.pool, {
      CREDIT_BATCH_CONCURRENCY: '4',
      CREDIT_BATCH_OVERLAP_AFTER: '0ms',
    });
    const first = core.run(deduct('x', 1n), () => 'x');
    const sameTurn = ['c', 'a', 'b'].map((user) => core.run(deduct(user, 1n), () => user));
    expect(await Promise.all(sameTurn)).toEqual(['c', 'a', 'b']);
    fake.release();
    await first;
    expect(fake.calls.map((ops) => ops.map((o) => o.user))).toEqual([['x'], ['a', 'b', 'c']]);
  });

  it('keeps operations arriving while a call runs for the next call, until that call has run CREDIT_BATCH_OVERLAP_AFTER', async () => {
    const fake = firstCallHeld((ops) => ops.map(() => ok));
    const clock = new FakeClock('2026-05-01T00:00:00Z');
    const core = coreWith(
      fake.pool,
      { CREDIT_BATCH_CONCURRENCY: '4', CREDIT_BATCH_OVERLAP_AFTER: '20ms' },
      clock,
    );
    const first = core.run(deduct('x', 1n), () => 'x');
    const waiting = ['c', 'a'].map((user) => core.run(deduct(user, 1n), () => user));
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(19);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toHaveLength(1); // a and c wait for x: slots are free, but x is young
    clock.advance(1); // x has run 20 ms: a lock wait or a slow disk, so a call starts beside it
    expect(await Promise.all(waiting)).toEqual(['c', 'a']);
    // x still runs past 20 ms: what comes now goes beside it at once, too.
    expect(await core.run(deduct('b', 1n), () => 'b')).toBe('b');
    fake.release();
    expect(await first).toBe('x');
    expect(fake.calls.map((ops) => ops.map((o) => o.user))).toEqual([['x'], ['a', 'c'], ['b']]);
  });

  it('sends a full batch beside a running call at once', async () => {
    const fake = firstCallHeld((ops) => ops.map(() => ok));
    const core = coreWith(fake.pool, { CREDIT_BATCH_CONCURRENCY: '4', CREDIT_BATCH_MAX: '2' });
    const first = core.run(deduct('x', 1n), () => 'x');
    const full = ['b', 'a'].map((user) => core.run(deduct(user, 1n), () => user));
    expect(await Promise.all(full)).toEqual(['b', 'a']);
    fake.release();
    await first;
    expect(fake.calls.map((ops) => ops.map((o) => o.user))).toEqual([['x'], ['a', 'b']]);
  });

  it('sends the chat holds of one event-loop turn beside a running one at once, whatever CREDIT_BATCH_OVERLAP_AFTER says', async () => {
    const fake = firstCallHeld((ops) =>
      ops.map(() => ({ ...ok, hold_id: 'h', expires_at: '2026-05-01T00:10:00Z' })),
    );
    const core = coreWith(fake.pool, {
      CREDIT_BATCH_CONCURRENCY: '4',
      CREDIT_BATCH_OVERLAP_AFTER: '20ms',
    });
    const chatHold = (user: string) => reserve(user, false);
    const first = core.run(chatHold('x'), () => 'x');
    const sameTurn = ['c', 'a'].map((user) => core.run(chatHold(user), () => user));
    // The fake clock never moves: x is young, and still c and a do not wait for it.
    expect(await Promise.all(sameTurn)).toEqual(['c', 'a']);
    fake.release();
    await first;
    expect(fake.calls.map((ops) => ops.map((o) => o.user))).toEqual([['x'], ['a', 'c']]);
  });

  it('maps a refusal to its error, with what the operation asked for', async () => {
    const fake = fakePool((ops) => ops.map(() => ({ kind: 'insufficient', available: '0.5000' })));
    const core = coreWith(fake.pool);
    await expect(core.run(deduct('u', 10_000n), () => 'never')).rejects.toThrow(
      new InsufficientCreditsError('0.5', '1', 'u'),
    );
  });

  it('runs a batch PostgreSQL refused one operation per statement, so only the one at fault fails', async () => {
    const fake = firstCallHeld((ops) => {
      if (ops.some((o) => o.user === 'bad')) throw new DatabaseError('check violated', 0, 'error');
      return ops.map(() => ok);
    });
    const core = coreWith(fake.pool, { CREDIT_BATCH_CONCURRENCY: '1' });
    const first = core.run(deduct('x', 1n), () => 'x');
    const good = core.run(deduct('good', 1n), () => 'good');
    const bad = core.run(deduct('bad', 1n), () => 'bad');
    fake.release();
    await first;
    await expect(good).resolves.toBe('good');
    await expect(bad).rejects.toThrow('check violated');
    expect(fake.calls.map((ops) => ops.map((o) => o.user))).toEqual([
      ['x'],
      ['bad', 'good'],
      ['bad'],
      ['good'],
    ]);
  });

  it('never retries a batch whose connection failed: its commit may have happened', async () => {
    const fake = firstCallHeld((ops, call) => {
      if (call === 2)
        throw Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' });
      return ops.map(() => ok);
    });
    const core = coreWith(fake.pool, { CREDIT_BATCH_CONCURRENCY: '1' });
    const first = core.run(deduct('x', 1n), () => 'x');
    const a = core.run(deduct('a', 1n), () => 'a');
    const b = core.run(deduct('b', 1n), () => 'b');
    fake.release();
    await first;
    await expect(a).rejects.toThrow('Connection terminated');
    await expect(b).rejects.toThrow('Connection terminated');
    expect(fake.calls).toHaveLength(2);
  });

  it('runs holds that need not wait for the WAL flush in a lane of their own, never behind a flush', async () => {
    const fake = firstCallHeld((ops) =>
      ops.map(() => ({ ...ok, hold_id: 'h', expires_at: '2026-05-01T00:10:00Z' })),
    );
    const core = coreWith(fake.pool, { CREDIT_BATCH_CONCURRENCY: '1' });
    const waiting = core.run(deduct('x', 1n), () => 'x');
    const queued = core.run(reserve('y'), () => 'y');
    // The flush lane is busy (x) with y queued behind it; these two do not wait for either.
    expect(
      await Promise.all([
        core.run(reserve('a', false), () => 'a'),
        core.run(reserve('b', false), () => 'b'),
      ]),
    ).toEqual(['a', 'b']);
    fake.release();
    expect(await Promise.all([waiting, queued])).toEqual(['x', 'y']);
    expect(fake.statements).toEqual([
      'credit_apply',
      'credit_apply_no_flush_wait',
      'credit_apply_no_flush_wait',
      'credit_apply',
    ]);
    expect(fake.calls.map((ops) => ops.map((o) => o.user))).toEqual([['x'], ['a'], ['b'], ['y']]);
  });
});
