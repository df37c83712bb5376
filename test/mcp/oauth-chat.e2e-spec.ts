import type { AuthRefreshAck } from '../../src/mcp/chat.types';
import { ledgerUnits } from '../../src/mcp/pricing';
import { Caller, userWithToken } from '../support/admin';
import { request } from '../support/contract';
import { ledgerOf } from '../support/credit-users';
import { eventually } from '../support/eventually';
import { chat, connectMcp, ending } from '../support/mcp-client';
import {
  chatAccessToken,
  consentedCode,
  oauthTestEnv,
  oidcClient as oc,
  registerClient,
  RegisteredClient,
} from '../support/oauth';
import { accessTokenFor } from '../support/users';
import { untilAborted, useChatApp } from './mcp-test-env';

const HELLO = [{ role: 'user' as const, content: 'Say hello' }];
let n = 0;
const rid = () => `oauth-${++n}`;

/**
 * An app (an OAuth client) on the chat socket with the user's access token (scope `chat`,
 * resource /mcp): its chats are paid by the user under the grant, and the grant's revocation or
 * the token's ends the socket. An hour between re-checks: only the revocation events can do it.
 */
describe('The chat socket (/mcp) with OAuth access tokens', () => {
  // Upstream limits well above the fakes' delays on a busy machine: a held stream must wait for
  // the revocation, not time out first.
  const app = useChatApp(() =>
    oauthTestEnv({
      MCP_REVALIDATE_INTERVAL: '1h',
      MCP_FIRST_TOKEN_TIMEOUT: '15s',
      MCP_IDLE_TIMEOUT: '15s',
    }),
  );
  let admin: Caller;
  let client: RegisteredClient;

  beforeAll(async () => {
    admin = await userWithToken(app.t, { role: 'admin' });
    client = await registerClient(app.t, admin, { scopes: ['profile', 'credits:spend', 'chat'] });
  });

  const grantOf = async (grantId: string) =>
    (
      await app.t.database.query<{ period_spent: string; total_spent: string; held: string }>(
        `SELECT period_spent::text, total_spent::text, held::text FROM grants WHERE id = $1`,
        [grantId],
      )
    )[0];

  it("connects with scope chat; the chat is charged to the user and counted on the app's grant", async () => {
    const { user, accessToken, grantId } = await chatAccessToken(app.t, client);
    const socket = await app.connect(accessToken);
    app.fakes.openai.behave({ chunks: ['Hi', ' there'], inputTokens: 12 });
    const out = await chat(socket, {
      request_id: rid(),
      model: 't-gpt',
      messages: HELLO,
      max_tokens: 100,
    });
    // 12 × 1/1000 + 2 × 2/1000 = 0.016
    expect(out.end).toMatchObject({ cost: '0.016', new_balance: '99.984' });
    const ledger = await ledgerOf(app.t, user.id);
    expect(ledger).toMatchObject({ balance: '99.9840', ledgerSum: '99.9840' });
    expect(ledger.chatRows).toEqual([expect.objectContaining({ amount: '-0.0160' })]);
    expect(await grantOf(grantId)).toEqual({
      period_spent: '0.0160',
      total_spent: '0.0160',
      held: '0.0000',
    });
  });

  it('refuses at the handshake a token without the chat scope, or for the credit API', async () => {
    const noChat = await chatAccessToken(app.t, client, { scope: 'profile' });
    await expect(connectMcp(app.url, noChat.accessToken)).rejects.toThrow('unauthorized');

    const { config, verifier, state, callback } = await consentedCode(app.t, client, {
      params: { scope: 'credits:spend chat' },
    });
    const creditApi = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(creditApi.scope).toContain('chat');
    await expect(connectMcp(app.url, creditApi.access_token)).rejects.toThrow('unauthorized');
  });

  it("an app's socket cannot become the user's own through auth:refresh", async () => {
    const { user, accessToken } = await chatAccessToken(app.t, client);
    const socket = await app.connect(accessToken);
    const own = await accessTokenFor(app.t, user);
    const ack = await new Promise<AuthRefreshAck>((resolve) =>
      socket.emit('auth:refresh', { token: own }, resolve),
    );
    expect(ack).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });

  it('revoking the grant disconnects the live socket; the token connects no more', async () => {
    const { user, accessToken, grantId } = await chatAccessToken(app.t, client);
    const socket = await app.connect(accessToken);
    const end = ending(socket);
    await request(app.t.server)
      .delete(`/api/grants/${grantId}`)
      .set('Authorization', `Bearer ${await accessTokenFor(app.t, user)}`)
      .expect(200);
    expect(await end).toEqual({
      error: expect.objectContaining({ code: 'UNAUTHENTICATED' }) as unknown,
      reason: 'io server disconnect',
    });
    await expect(connectMcp(app.url, accessToken)).rejects.toThrow('unauthorized');
  });

  it('a grant revoked mid-chat ends the socket; what was delivered is still charged to the user', async () => {
    const { user, accessToken, grantId } = await chatAccessToken(app.t, client);
    const socket = await app.connect(accessToken);
    app.fakes.openai.behave({ chunks: ['One', ' two', ' three'], holdAfter: 2, inputTokens: 12 });
    const end = ending(socket);
    await new Promise<void>((resolve) => {
      socket.on('chat:chunk', ({ index }) => index === 1 && resolve());
      socket.emit('chat:start', { request_id: rid(), model: 't-gpt', messages: HELLO }, () => {});
    });
    await request(app.t.server)
      .delete(`/api/grants/${grantId}`)
      .set('Authorization', `Bearer ${await accessTokenFor(app.t, user)}`)
      .expect(200);
    expect((await end).error.code).toBe('UNAUTHENTICATED');
    await untilAborted(app.fakes.openai);
    // The prompt and the two chunks delivered (the upstream was cut before it reported usage).
    const ledger = await eventually(async () => {
      const state = await ledgerOf(app.t, user.id);
      expect(state.chatRows).toHaveLength(1);
      return state;
    });
    const charged = ledgerUnits((ledger.chatRows[0].amount as string).slice(1));
    expect(charged).toBeGreaterThan(0n);
    expect(ledgerUnits(ledger.balance)).toBe(ledgerUnits('100') - charged);
    expect(ledger.ledgerSum).toBe(ledger.balance);
    const holds = await app.t.database.query(`SELECT status FROM credit_holds WHERE user_id = $1`, [
      user.id,
    ]);
    expect(holds).toEqual([{ status: 'captured' }]);
  });

  it('revoking the access token (RFC 7009) disconnects the live socket', async () => {
    const { config, accessToken } = await chatAccessToken(app.t, client);
    const socket = await app.connect(accessToken);
    const end = ending(socket);
    await oc.tokenRevocation(config, accessToken);
    expect((await end).error.code).toBe('UNAUTHENTICATED');
  });

  it('a chat the grant cannot cover is refused with GRANT_LIMIT_REACHED, with no ledger row', async () => {
    const { user, accessToken, grantId } = await chatAccessToken(app.t, client, {
      consent: { period_cap: '0.1' },
    });
    const socket = await app.connect(accessToken);
    // The hold (input estimate + 100 output tokens × 2/1000 ≥ 0.2) passes the 0.1 cap.
    const out = await chat(socket, {
      request_id: rid(),
      model: 't-gpt',
      messages: HELLO,
      max_tokens: 100,
    });
    expect(out.ack).toEqual({
      ok: false,
      code: 'GRANT_LIMIT_REACHED',
      message: expect.stringMatching(
        /monthly spending limit.*0\.1 of 0\.1 credits left/,
      ) as unknown,
    });
    expect(out.chunks).toEqual([]);
    const ledger = await ledgerOf(app.t, user.id);
    expect(ledger).toMatchObject({ balance: '100.0000', chatRows: [] });
    expect(await grantOf(grantId)).toEqual({
      period_spent: '0.0000',
      total_spent: '0.0000',
      held: '0.0000',
    });
    const holds = await app.t.database.query(`SELECT 1 FROM credit_holds WHERE user_id = $1`, [
      user.id,
    ]);
    expect(holds).toEqual([]);
  });
});
