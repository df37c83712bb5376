import { ledgerUnits } from '../../src/mcp/pricing';
import { TokenEstimator } from '../../src/mcp/token-estimator';
import { fundedUser, ledgerOf } from '../support/credit-users';
import { FakeClock } from '../support/fake-clock';
import { chat } from '../support/mcp-client';
import { untilAborted, useChatApp } from './mcp-test-env';

const HELLO = [{ role: 'user', content: 'Hello' }];

/**
 * A chat's credit hold lapses after MCP_HOLD_TTL, and a lapsed hold can no longer be charged.
 * A chat still streaming shortly before (30 s, or a tenth of the TTL if less) is ended with
 * `TIMEOUT`, saying why, and charged for what was delivered while the hold still stands. The
 * clock is the app's injected one, moved by the test.
 */
describe('A chat that outlives its credit hold', () => {
  const clock = new FakeClock();
  const app = useChatApp({ MCP_HOLD_TTL: '10m' }, clock);

  it('is told and ended with TIMEOUT before the hold lapses, charged for what was delivered', async () => {
    const user = await fundedUser(app.t, '10');
    const socket = await app.connect(user.sessionToken);
    // A long answer: 60 chunks 50 ms apart, 3 s of real time.
    app.fakes.openai.behave({
      chunks: Array<string>(60).fill(' word'),
      chunkDelayMs: 50,
    });
    const out = await chat(
      socket,
      { request_id: 'long', model: 't-gpt', messages: HELLO },
      (_c, all) => {
        // 9 min 29 s: not yet. 9 min 30 s: 30 s before the hold's 10 min are up.
        if (all.length === 2) clock.advance(569_000);
        if (all.length === 4) clock.advance(1_000);
      },
    );

    expect(out.error).toMatchObject({
      request_id: 'long',
      code: 'TIMEOUT',
      message: expect.stringContaining('time limit of its credit hold (MCP_HOLD_TTL)'),
    });
    expect(out.chunks.length).toBeGreaterThanOrEqual(4);
    expect(out.chunks.length).toBeLessThan(60);
    await untilAborted(app.fakes.openai);
    // Charged like a cancel: the prompt and the delivered output, by our own count (OpenAI
    // reports the usage only at the end of a stream).
    const estimator = app.t.app.get(TokenEstimator);
    const inputTokens = await estimator.input(HELLO as never);
    const outputTokens = await estimator.count(out.text);
    const expected = (inputTokens * 1 + outputTokens * 2) / 1000;
    expect(Number(out.error!.cost)).toBeCloseTo(expected, 4);
    const ledger = await ledgerOf(app.t, user.id);
    expect(ledgerUnits('10') - ledgerUnits(ledger.balance)).toBe(ledgerUnits(out.error!.cost));
    expect(ledger.chatRows).toHaveLength(1);
    const [hold] = await app.t.database.query<{ status: string }>(
      `SELECT status FROM credit_holds WHERE user_id = $1`,
      [user.id],
    );
    expect(hold.status).toBe('captured');
  });
});
