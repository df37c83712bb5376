import { Injectable, Logger } from '@nestjs/common';
import { DatabaseError, type Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { withoutSecrets } from '../../common/audit/audit-log.service';
import {
  formatUnits,
  parseUnits,
  unitsFromSql,
  unitsToSql,
} from '../../common/money/credit-amount';
import { CreditMetrics } from './credit-metrics';
import { CreditEvents } from '../events/credit-events';
import { Clock } from '../../common/time/clock';
import { AppConfig } from '../../config/app-config';
import { ReplayedFailure, StoredFailure } from '../idempotency/idempotency.errors';
import { requestFingerprint, validateIdempotencyKey } from '../idempotency/idempotency-key';
import type { CoreAudit, CreditOp, IdempotentRequest, Outcome } from './credit-operations';
import { refusal } from './credit-refusals';

const APPLY_SQL = 'SELECT op_index, op_outcome FROM credit_apply($1::jsonb, $2, $3, $4)';
/**
 * The same call, committed without waiting for the WAL flush (synchronous_commit off for its
 * transaction only): for statements of holds that asked for it, which move no money. On a slow
 * disk the flush is most of a hold's latency, which a chat's first token waits for.
 */
const APPLY_NO_FLUSH_WAIT_SQL = `${APPLY_SQL}
  CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait`;
/** Outcomes that are a success of their operation; every other kind is a refusal. */
const SUCCESS = new Set(['ok', 'already_granted']);
/** Operations that may share a statement with others: they lock only their own user's account. */
const BATCHABLE = new Set(['deduct', 'reserve', 'capture', 'release', 'refund', 'check', 'state']);

/** A hold that asked not to wait for the WAL flush (CreditOp `awaitFlush`). */
function noFlushWait(op: CreditOp): boolean {
  return op.op === 'reserve' && op.awaitFlush === false;
}

/** An outcome that says an account's state after a move (CreditAccountVersion). */
function isAccountState(outcome: Outcome): boolean {
  return (
    typeof outcome.balance === 'string' &&
    typeof outcome.held === 'string' &&
    typeof outcome.version === 'number'
  );
}

/**
 * Operations waiting for a call, and the calls running. Holds that need not wait for the WAL
 * flush have a lane of their own, so they never queue behind statements waiting for the disk.
 */
interface Lane {
  queue: Pending[];
  /** When each call in flight was sent (clock ms), oldest first. */
  sentAt: number[];
  noFlushWait: boolean;
  /**
   * How long a running call makes operations arriving meanwhile wait for it
   * (CREDIT_BATCH_OVERLAP_AFTER; 0 for holds that skip the flush wait: chat starts, whose first
   * token waits for the hold, go out on each event-loop turn while a slot is free).
   */
  overlapAfterMs: number;
  /** A pump is due at the end of this event-loop turn (see apply). */
  pumpDue: boolean;
  /** Cancels the timer that starts a call beside one running past CREDIT_BATCH_OVERLAP_AFTER. */
  cancelOverlap?: () => void;
}

interface Pending {
  op: CreditOp;
  idempotency?: IdempotentRequest;
  sortKey: string | null;
  resolve: (outcome: Outcome) => void;
  reject: (error: unknown) => void;
}

type SqlOp = Record<string, unknown>;
interface ApplyRow {
  op_index: number;
  op_outcome: Outcome;
}

/** Undefined (left out of the JSON, so SQL NULL) when there is no audit row to write. */
function auditJson(audit: CoreAudit | undefined): SqlOp | undefined {
  if (!audit) return undefined;
  return {
    actor_id: audit.actor.id,
    actor_type: audit.actor.type,
    action: audit.action,
    target_type: audit.target.type,
    target_id: audit.target.id ?? null,
    request_id: audit.request?.requestId ?? null,
    ip: audit.request?.ip ?? null,
    after: withoutSecrets(audit.after) ?? {},
  };
}

/** The operation as `credit_apply` reads it (snake_case jsonb, amounts as numeric text). */
function toSql(op: CreditOp): SqlOp {
  switch (op.op) {
    case 'deduct':
    case 'reserve':
      return {
        op: op.op,
        user: op.user,
        amount: unitsToSql(op.amount),
        service: op.service,
        metadata: op.metadata,
        actor: op.actor,
        expires_at: op.op === 'reserve' ? op.expiresAt.toISOString() : undefined,
        grant: op.grant,
        limits:
          op.op === 'reserve' && op.limits
            ? { concurrent: op.limits.concurrent, per_minute: op.limits.perMinute }
            : undefined,
      };
    case 'capture':
      return { ...op, amount: unitsToSql(op.amount) };
    case 'release':
    case 'redeem_promo':
    case 'state':
      return { ...op };
    case 'refund':
      return {
        ...op,
        amount: op.amount === null ? null : unitsToSql(op.amount),
        audit: auditJson(op.audit),
      };
    case 'operator_change':
      return { ...op, amount: unitsToSql(op.amount), audit: auditJson(op.audit) };
    case 'signup':
    case 'check':
      return { ...op, amount: unitsToSql(op.amount) };
  }
}

/**
 * The gateway to the money core (migration CreditCore): every money move is one call of the SQL
 * function `credit_apply`, autocommitted, which claims the Idempotency-Key, runs the operation
 * and stores its outcome in the same statement. This class maps each refusal to its error (one
 * place, `credit-refusals.ts`); services above it hold no money rules.
 *
 * Hot accounts and bursts: an idle lane sends an operation at once. Operations arriving while a
 * call runs wait for it to end, and the next call carries up to CREDIT_BATCH_MAX of them in one
 * statement, in user id order (the lock order), each with its own ledger row and its own
 * outcome. A second call starts beside a running one (up to CREDIT_BATCH_CONCURRENCY) only for a
 * full batch or once the running call has taken CREDIT_BATCH_OVERLAP_AFTER (a lock wait, a slow
 * disk): each statement costs PostgreSQL and this process a fixed amount of CPU (its socket
 * round trip, its commit), so fewer, fuller statements leave more CPU for everything else.
 * Chat holds (which skip the flush wait, a lane of their own) never wait for a running call while
 * a slot is free: a chat's first token waits for its hold, and in a burst of 100 chat starts this
 * took ~5 ms off the first token's p50 (paired probe in BENCHMARKS.md).
 * A statement that fails as a whole (a deadlock with a misused key, a constraint) is retried one
 * operation per statement, so only the operation at fault fails.
 */
@Injectable()
export class CreditCore {
  private readonly logger = new Logger(CreditCore.name);
  private readonly pool: Pool;
  private readonly lanes: Record<'flushWait' | 'noFlushWait', Lane>;
  /** SIGNUP_BONUS_CREDITS in units. */
  readonly signupBonus: bigint;
  /** SIGNUP_BONUS_AT_REGISTRATION (false: the bonus waits for a verified email, S-19). */
  readonly bonusAtRegistration: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly events: CreditEvents,
    private readonly metrics: CreditMetrics,
  ) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
    const lane = (noFlushWait: boolean, overlapAfterMs: number): Lane => ({
      queue: [],
      sentAt: [],
      noFlushWait,
      overlapAfterMs,
      pumpDue: false,
    });
    this.lanes = {
      flushWait: lane(false, config.credits.batchOverlapAfterMs),
      noFlushWait: lane(true, 0),
    };
    const bonus = parseUnits(config.credits.signupBonus);
    this.signupBonus = 'units' in bonus ? bonus.units : 0n;
    this.bonusAtRegistration = config.credits.signupBonusAtRegistration !== false;
  }

  /**
   * Runs `op` (exactly once per Idempotency-Key) and maps its outcome: `toResult` for a success,
   * the operation's error for a refusal. A user without a credit account yet gets it opened (the
   * signup grant) and the operation runs again. `manager`: run inside the caller's transaction.
   */
  async run<T>(
    op: CreditOp,
    toResult: (outcome: Outcome) => T,
    options: { idempotency?: IdempotentRequest; manager?: EntityManager } = {},
  ): Promise<T> {
    let outcome = await this.apply(op, options);
    if (outcome.kind === 'no_account' && 'user' in op && op.user) {
      // An account opened here (a user from before accounts were opened at sign-up) gets the
      // bonus only where it is granted at registration; else verification grants it (S-19).
      const amount = this.bonusAtRegistration ? this.signupBonus : 0n;
      const opened = await this.apply(
        { op: 'signup', user: op.user, amount },
        { manager: options.manager },
      );
      if (!SUCCESS.has(opened.kind)) throw refusal(op, opened);
      outcome = await this.apply(op, options);
    }
    if (outcome.kind === 'legacy') return this.replayLegacy<T>(outcome);
    this.metrics.record(op, outcome);
    if (!SUCCESS.has(outcome.kind)) throw refusal(op, outcome);
    // Inside a caller's transaction nothing has committed yet: no event.
    if (!options.manager) this.announce(op, outcome, options.idempotency?.key !== undefined);
    return toResult(outcome);
  }

  /**
   * Publishes `ledger.changed` after an operation that moved an account. An operation under an
   * Idempotency-Key may be a replay whose stored outcome is old: its user's current state is
   * read (one batched call) and published instead.
   */
  private announce(op: CreditOp, outcome: Outcome, keyed: boolean): void {
    if (op.op === 'check' || op.op === 'state') return;
    const userId = ('user' in op && op.user) || (outcome.user_id as string | undefined);
    if (!userId || !isAccountState(outcome)) return;
    const transactionId = (outcome.transaction_id as string | null | undefined) ?? null;
    const publish = (state: Outcome) =>
      this.events.publish('ledger.changed', {
        userId,
        balance: formatUnits(unitsFromSql(state.balance as string)),
        held: formatUnits(unitsFromSql(state.held as string)),
        available: formatUnits(unitsFromSql(state.available as string)),
        transactionId,
        version: state.version as number,
      });
    if (!keyed) return publish(outcome);
    this.apply({ op: 'state', user: userId }, {}).then(
      (state) => isAccountState(state) && publish(state),
      (error: unknown) => this.logger.warn(`could not announce a balance: ${String(error)}`),
    );
  }

  /** Deletes Idempotency-Keys past IDEMPOTENCY_TTL; returns how many. */
  async pruneIdempotencyKeys(): Promise<number> {
    const result = await this.pool.query(`DELETE FROM idempotency_keys WHERE expires_at <= $1`, [
      this.clock.now(),
    ]);
    return result.rowCount ?? 0;
  }

  /** Releases expired holds (of up to `accounts` accounts); returns how many it marked. */
  async expireHolds(accounts = 1000): Promise<number> {
    const result = await this.pool.query<{ n: number }>(`SELECT credit_expire_holds($1, $2) AS n`, [
      this.clock.now(),
      accounts,
    ]);
    return result.rows[0].n;
  }

  private apply(
    op: CreditOp,
    options: { idempotency?: IdempotentRequest; manager?: EntityManager },
  ): Promise<Outcome> {
    if (options.manager) {
      return this.send([this.sqlOf(op, options.idempotency)], options.manager).then((o) => o[0]);
    }
    const sortKey = 'user' in op ? op.user : null;
    if (!BATCHABLE.has(op.op) || sortKey === null) {
      return this.sendAlone(op, options.idempotency);
    }
    return new Promise<Outcome>((resolve, reject) => {
      const lane = noFlushWait(op) ? this.lanes.noFlushWait : this.lanes.flushWait;
      lane.queue.push({ op, idempotency: options.idempotency, sortKey, resolve, reject });
      // An idle lane sends at once. A busy one looks again once this event-loop turn is over,
      // with whatever else the turn brought (one socket read, one Redis answer releasing many
      // requests): see pump for when it sends them beside the running call.
      if (lane.sentAt.length === 0) this.pump(lane);
      else if (!lane.pumpDue) {
        lane.pumpDue = true;
        setImmediate(() => {
          lane.pumpDue = false;
          this.pump(lane);
        });
      }
    });
  }

  /**
   * Sends what waits: at once on an idle lane; beside running calls only a full batch, or
   * anything once the oldest running call has taken CREDIT_BATCH_OVERLAP_AFTER (else a timer
   * looks again then). A call that ends pumps again.
   */
  private pump(lane: Lane): void {
    const { batchConcurrency, batchMax } = this.config.credits;
    while (lane.sentAt.length < batchConcurrency && lane.queue.length > 0) {
      const now = this.clock.now().getTime();
      const overlapAt = lane.sentAt.length === 0 ? now : lane.sentAt[0] + lane.overlapAfterMs;
      if (lane.queue.length < batchMax && now < overlapAt) {
        lane.cancelOverlap ??= this.clock.schedule(new Date(overlapAt), () => {
          lane.cancelOverlap = undefined;
          this.pump(lane);
        });
        return;
      }
      const batch = lane.queue.splice(0, batchMax);
      lane.sentAt.push(now);
      void this.sendBatch(batch, lane.noFlushWait).finally(() => {
        lane.sentAt.splice(lane.sentAt.indexOf(now), 1);
        this.pump(lane);
      });
    }
    if (lane.queue.length === 0) {
      lane.cancelOverlap?.();
      lane.cancelOverlap = undefined;
    }
  }

  private async sendBatch(batch: Pending[], noFlushWait: boolean): Promise<void> {
    // Stable sort: one user's operations keep their order of arrival.
    const ordered = [...batch].sort((a, b) =>
      a.sortKey! < b.sortKey! ? -1 : a.sortKey! > b.sortKey! ? 1 : 0,
    );
    let sqlOps: SqlOp[];
    try {
      sqlOps = ordered.map((p) => this.sqlOf(p.op, p.idempotency));
    } catch (error) {
      for (const p of ordered) p.reject(error);
      return;
    }
    try {
      const outcomes = await this.send(sqlOps, undefined, noFlushWait);
      ordered.forEach((p, i) => p.resolve(outcomes[i]));
    } catch (error) {
      // Only a statement PostgreSQL refused surely changed nothing: a lost connection may have
      // lost the answer of a committed one, so that is never retried.
      if (ordered.length === 1 || !(error instanceof DatabaseError)) {
        for (const p of ordered) p.reject(error);
        return;
      }
      this.logger.warn(
        `A batch of ${ordered.length} credit operations failed (${(error as Error).message}); running them one by one`,
      );
      await Promise.all(
        ordered.map((p, i) =>
          this.send([sqlOps[i]], undefined, noFlushWait).then((o) => p.resolve(o[0]), p.reject),
        ),
      );
    }
  }

  private async sendAlone(op: CreditOp, idempotency?: IdempotentRequest): Promise<Outcome> {
    return (await this.send([this.sqlOf(op, idempotency)]))[0];
  }

  private sqlOf(op: CreditOp, idempotency?: IdempotentRequest): SqlOp {
    const sql = toSql(op);
    const key = validateIdempotencyKey(idempotency?.key);
    if (idempotency && key !== undefined) {
      sql.scope = idempotency.scope;
      sql.key = key;
      sql.fingerprint = requestFingerprint(idempotency.operation, idempotency.payload);
    }
    return sql;
  }

  /**
   * One round trip: the operations in one `credit_apply` call, their outcomes in order.
   * `noFlushWait`: every operation is a hold that need not wait for the WAL flush.
   */
  private async send(
    ops: SqlOp[],
    manager?: EntityManager,
    noFlushWait = false,
  ): Promise<Outcome[]> {
    const now = this.clock.now();
    const values = [
      JSON.stringify(ops),
      now,
      new Date(now.getTime() + this.config.credits.idempotencyTtlMs),
      Math.max(1, Math.floor(this.config.credits.idempotencyWaitMs)),
    ];
    const rows = manager
      ? await manager.query<ApplyRow[]>(APPLY_SQL, values)
      : (
          await this.pool.query<ApplyRow>(
            noFlushWait
              ? { name: 'credit_apply_no_flush_wait', text: APPLY_NO_FLUSH_WAIT_SQL, values }
              : { name: 'credit_apply', text: APPLY_SQL, values },
          )
        ).rows;
    const outcomes: Outcome[] = new Array<Outcome>(ops.length);
    for (const row of rows) outcomes[row.op_index] = row.op_outcome;
    return outcomes;
  }

  private replayLegacy<T>(outcome: Outcome): T {
    const status = outcome.status as number;
    if (status >= 400) throw new ReplayedFailure(status, outcome.response as StoredFailure);
    return outcome.response as T;
  }
}
