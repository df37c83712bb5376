import { chatOverSocket } from '../../clients/typescript/examples/chat-socket';
import { sora2Flow } from '../../clients/typescript/examples/sora2-flow';
import { SessionService } from '../../src/session/session.service';
import { CREDITS_TEST_ENV, SORA2_KEY, topUp, accountFacts } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';
import { fundedUser, ledgerOf } from '../support/credit-users';
import { insertUser } from '../support/users';
import { useChatApp } from '../mcp/mcp-test-env';

/** The generated client's examples, run against the real app (clients/typescript/examples). */
describe('clients/typescript examples against the real app', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...CREDITS_TEST_ENV, SIGNUP_BONUS_CREDITS: '0' } });
  });
  afterAll(() => t.close());

  it('the Sora2 flow: verify → check → hold → capture', async () => {
    const user = await insertUser(t.database, { name: 'Sora Fan' });
    await topUp(t, user.id, '100');
    const { token } = await t.app.get(SessionService).createForUser({ userId: user.id });

    const result = await sora2Flow({
      baseUrl: t.url,
      apiKey: SORA2_KEY,
      sessionToken: token,
      estimate: 30,
      actual: 22.5,
    });

    expect(result.user).toMatchObject({ id: user.id, name: 'Sora Fan' });
    expect(result.check).toMatchObject({ sufficient: true, balance: '100', user_id: user.id });
    expect(result.hold).toMatchObject({ user_id: user.id, amount: '30', available: '70' });
    expect(result.capture).toMatchObject({
      hold_id: result.hold.hold_id,
      new_balance: '77.5',
      captured_amount: '22.5',
      released_amount: '7.5',
    });
    expect(await accountFacts(t.database, user.id)).toMatchObject({
      balance: '77.5000',
      ledgerSum: '77.5000',
    });
  });

  it('the Sora2 flow stops with the hub’s message when the code is wrong', async () => {
    await expect(
      sora2Flow({
        baseUrl: t.url,
        apiKey: SORA2_KEY,
        sessionToken: `VERIFIED-${'A'.repeat(43)}`,
        estimate: 1,
        actual: 1,
      }),
    ).rejects.toThrow('verify-session: Session not found');
  });
});

describe('clients/typescript chat socket example against the real app', () => {
  const app = useChatApp();

  it('streams an answer over the typed socket and ends with snake_case usage, cost and new_balance', async () => {
    app.fakes.openai.behave({ chunks: ['Sa', 'wat', 'dee'], inputTokens: 10 });
    const user = await fundedUser(app.t, '10');
    const deltas: string[] = [];
    const result = await chatOverSocket({
      baseUrl: app.url,
      token: user.sessionToken,
      model: 't-gpt',
      question: 'Say hello in Thai',
      onDelta: (delta) => deltas.push(delta),
    });

    expect(deltas).toEqual(['Sa', 'wat', 'dee']);
    expect(result.answer).toBe('Sawatdee');
    expect(result.conversation_id).toEqual(expect.any(String));
    // 10 × 1/1000 + 3 × 2/1000 = 0.016
    expect(result.end).toEqual({
      request_id: expect.stringMatching(/^example-/),
      provider: 'openai',
      model: 't-gpt',
      usage: { input_tokens: 10, output_tokens: 3 },
      cost: '0.016',
      new_balance: '9.984',
      finish_reason: 'stop',
    });
    // The ledger row's metadata the hub wrote is snake_case too.
    const ledger = await ledgerOf(app.t, user.id);
    expect(ledger.chatRows).toEqual([
      expect.objectContaining({
        amount: '-0.0160',
        metadata: expect.objectContaining({
          request_id: result.end!.request_id,
          model: 't-gpt',
          provider: 'openai',
          input_tokens: 10,
          output_tokens: 3,
          conversation_id: result.conversation_id,
        }),
      }),
    ]);
    const [hold] = await app.t.database.query<{ metadata: object }>(
      `SELECT metadata FROM credit_holds WHERE user_id = $1`,
      [user.id],
    );
    expect(hold.metadata).toEqual({ request_id: result.end!.request_id, model: 't-gpt' });
    const keys = [ledger.chatRows[0].metadata as object, hold.metadata].flatMap(Object.keys);
    expect(keys.filter((key) => /[A-Z]/.test(key))).toEqual([]);
  });

  it('a refused start throws with the ack’s code, nothing charged', async () => {
    const user = await fundedUser(app.t, '0');
    await expect(
      chatOverSocket({
        baseUrl: app.url,
        token: user.sessionToken,
        model: 't-gpt',
        question: 'Hi',
      }),
    ).rejects.toThrow('chat:start refused: INSUFFICIENT_CREDITS');
    expect((await ledgerOf(app.t, user.id)).chatRows).toEqual([]);
  });
});
