import { randomUUID } from 'node:crypto';
import { FaultCluster, forEachFaultRound, SeededRandom } from '../support/fault-cluster';
import { moneyViolations, NO_VIOLATIONS } from '../support/money-invariants';

type Kind = 'deduct' | 'hold' | 'refund' | 'capture' | 'release';

interface Op {
  n: number;
  kind: Kind;
  user: string;
  instance: number;
  key: string;
  path?: string;
  body?: Record<string, unknown>;
  /** The first answer (status + body), or undefined while unanswered. */
  answer?: { status: number; body: Record<string, unknown> };
}

const USERS = 6;
const OPS = 160;
const WORKERS = 12;

/**
 * Issue 13's crash fault: kill -9 of one of two instances during a mixed storm of deducts,
 * refunds, holds, captures and releases, each with its Idempotency-Key; the instance is restarted,
 * everything unanswered is retried with the same key, and the money invariants must hold.
 */
describe('fault: kill -9 during a money storm across two instances', () => {
  let cluster: FaultCluster;

  beforeAll(async () => {
    cluster = await FaultCluster.start({ instances: 2, redis: 'volatile' });
  }, 300_000);
  afterAll(() => cluster?.stop());

  const send = (op: Op, instance: number) => cluster.credits(instance, op.path!, op);

  async function storm(rng: SeededRandom): Promise<void> {
    const users = await cluster.insertUsers(USERS);
    await cluster.fund(users, 100);

    const victim = rng.int(0, 1);
    const killAfter = rng.int(20, OPS / 2);
    const deducts = new Map<string, string[]>(users.map((u) => [u, []]));
    const holds = new Map<string, string[]>(users.map((u) => [u, []]));
    const plan: Omit<Op, 'path' | 'body'>[] = Array.from({ length: OPS }, (_, n) => ({
      n,
      kind: rng.pick<Kind>(['deduct', 'deduct', 'hold', 'hold', 'refund', 'capture', 'release']),
      user: rng.pick(users),
      instance: rng.int(0, 1),
      key: `fault-${rng.seed}-${n}-${randomUUID()}`,
    }));
    const amounts = plan.map(() => rng.int(1, 9));
    const ops: Op[] = [];
    let next = 0;
    let killed: Promise<void> | undefined;

    /** Turns a planned op into a request; refunds/captures/releases target an earlier result. */
    const prepare = (planned: Omit<Op, 'path' | 'body'>): Op => {
      const amount = amounts[planned.n];
      const earlierDeduct = deducts.get(planned.user)!.at(-1 - (amount % 2));
      const earlierHold = holds.get(planned.user)!.at(-1 - (amount % 2));
      switch (planned.kind) {
        case 'refund':
          if (earlierDeduct) {
            return {
              ...planned,
              path: 'refund',
              body: {
                transaction_id: earlierDeduct,
                amount: amount % 3 === 0 ? 1 : undefined,
                reason: 'failed',
              },
            };
          }
          break;
        case 'capture':
        case 'release':
          if (earlierHold) {
            return {
              ...planned,
              path: `holds/${earlierHold}/${planned.kind}`,
              body: planned.kind === 'capture' ? { amount: 1 } : undefined,
            };
          }
          break;
        case 'hold':
          return {
            ...planned,
            path: 'holds',
            body: { service: 'video', amount, ttl_seconds: 3600 },
          };
      }
      return {
        ...planned,
        kind: 'deduct',
        path: 'deduct',
        body: { service: 'video', cost: amount },
      };
    };

    const remember = (op: Op) => {
      if (op.answer?.status === 200 && op.kind === 'deduct') {
        deducts.get(op.user)!.push(String(op.answer.body.transaction_id));
      }
      if (op.answer && op.answer.status < 300 && op.kind === 'hold') {
        holds.get(op.user)!.push(String(op.answer.body.hold_id));
      }
    };

    const worker = async () => {
      while (next < OPS) {
        const planned = plan[next++];
        if (planned.n === killAfter) killed = cluster.crash(victim);
        const op = prepare(planned);
        ops.push(op);
        op.answer = await send(op, op.instance);
        remember(op);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    await killed;

    const answered = ops.filter((op) => op.answer);
    expect(answered.filter((op) => op.answer!.status >= 500).map((op) => op.answer)).toEqual([]);
    const unanswered = ops.filter((op) => !op.answer);
    await cluster.startServer(victim);

    // Retry everything unanswered with its key until it is answered (a copy whose transaction
    // died with the process rolled back, so the retry runs it; one that committed replays).
    for (const op of unanswered) {
      for (let attempt = 0; !op.answer || isInProgress(op.answer); attempt++) {
        if (attempt > 50)
          throw new Error(`op ${op.n} never answered: ${JSON.stringify(op.answer)}`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        op.answer = await send(op, rng.int(0, 1));
      }
      remember(op);
    }
    expect(ops.filter((op) => op.answer!.status >= 500).map((op) => op.answer)).toEqual([]);

    // Every key replays its one outcome: the same status and the same ledger row.
    for (const op of ops) {
      const replay = await send(op, rng.int(0, 1));
      expect({ n: op.n, status: replay?.status, id: idOf(replay?.body) }).toEqual({
        n: op.n,
        status: op.answer!.status,
        id: idOf(op.answer!.body),
      });
    }

    expect(await moneyViolations((sql) => cluster.pg.query(sql, [], 'hub'))).toEqual(NO_VIOLATIONS);
    // Each successful deduct key wrote exactly one ledger row (captures are `deduct` rows with a
    // hold_id); a refused one wrote none.
    const rows = await cluster.pg.query<{ key: string }>(
      `SELECT idempotency_key AS key FROM credit_transactions
        WHERE type = 'deduct' AND NOT metadata ? 'hold_id' AND idempotency_key LIKE $1`,
      [`fault-${rng.seed}-%`],
      'hub',
    );
    const charged = ops.filter((op) => op.kind === 'deduct' && op.answer!.status === 200);
    expect(rows.map((r) => r.key).sort()).toEqual(charged.map((op) => op.key).sort());
    process.stdout.write(
      `[faults] crash seed ${rng.seed}: ${ops.length} ops, instance ${victim} killed after ${killAfter}, ${unanswered.length} retried\n`,
    );
  }

  it('keeps every money invariant; each key charged at most once; every retry answered', async () => {
    await forEachFaultRound('test/faults/crash.e2e-spec.ts', storm);
  }, 600_000);
});

function isInProgress(answer: { status: number; body: Record<string, unknown> }): boolean {
  return answer.status === 409 && /in progress/i.test(String(answer.body.message));
}

function idOf(body: Record<string, unknown> | undefined): unknown {
  return body?.transaction_id ?? body?.hold_id ?? body?.message;
}
