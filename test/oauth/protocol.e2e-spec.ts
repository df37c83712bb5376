import {
  Browser,
  consentedCode,
  deductWith,
  discoverFor,
  oidcClient as oc,
  REDIRECT_URI,
  registerClient,
  RegisteredClient,
  useOAuthApp,
} from '../support/oauth';

/**
 * The protocol rules of the authorization server, through openid-client: PKCE, exact redirect
 * URIs, single-use codes, refresh-token rotation with reuse detection, audience-bound tokens,
 * introspection, the no-PKCE confidential client (GPT Actions), dynamic registration and the
 * SSRF guard of Client ID Metadata Documents.
 */
describe('OAuth protocol rules', () => {
  const app = useOAuthApp();

  const deduct = (token: string) => deductWith(app.t, token);
  const configFor = (client: RegisteredClient, secret?: string) =>
    discoverFor(app.t, client, secret);

  /** Where the authorization endpoint sends the browser first (no sign-in yet). */
  async function firstAnswer(params: Record<string, string>) {
    const url = new URL(`${app.issuer}/auth`);
    for (const [k, v] of Object.entries({ response_type: 'code', ...params })) {
      url.searchParams.set(k, v);
    }
    return new Browser(app.t.url).fetch(url.href);
  }

  it('a public client must use PKCE (S256): without it the app gets invalid_request', async () => {
    const client = await registerClient(app.t, app.admin, { client_type: 'public' });
    expect(client.client_secret).toBeNull();
    const res = await firstAnswer({
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      scope: 'credits:read',
      state: 's1',
    });
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
    const plain = await firstAnswer({
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      scope: 'credits:read',
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'plain',
    });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe(
      'invalid_request',
    );
  });

  it('a redirect URI that is not exactly a registered one is refused on our page, never redirected to', async () => {
    const client = await registerClient(app.t, app.admin);
    for (const redirect of [
      'https://evil.example/callback',
      `${REDIRECT_URI}/extra`,
      `${REDIRECT_URI}?x=1`,
    ]) {
      const res = await firstAnswer({
        client_id: client.client_id,
        redirect_uri: redirect,
        scope: 'credits:read',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('redirect_uri');
    }
  });

  it('a code works once: a replay is refused and revokes the tokens issued from it', async () => {
    const client = await registerClient(app.t, app.admin);
    const { config, verifier, state, callback } = await consentedCode(app.t, client);
    const tokens = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    await deduct(tokens.access_token).expect(200);
    await expect(
      oc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await deduct(tokens.access_token).expect(401);
    await expect(oc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('codes live 60 s and are stored with that expiry', async () => {
    const client = await registerClient(app.t, app.admin);
    const { callback } = await consentedCode(app.t, client);
    const code = callback.searchParams.get('code')!;
    const rows = await app.t.database.query<{ ttl: number }>(
      `SELECT extract(epoch FROM expires_at - now())::float AS ttl FROM oauth_payloads
        WHERE model = 'AuthorizationCode' AND id = $1`,
      [code],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].ttl).toBeGreaterThan(0);
    expect(rows[0].ttl).toBeLessThanOrEqual(60);
  });

  it('refresh tokens rotate; reusing an old one revokes the whole family', async () => {
    const client = await registerClient(app.t, app.admin);
    const { config, verifier, state, callback } = await consentedCode(app.t, client);
    const first = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const second = await oc.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await deduct(second.access_token).expect(200);
    await expect(oc.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await deduct(second.access_token).expect(401);
    await expect(oc.refreshTokenGrant(config, second.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('tokens are audience-bound (RFC 8707): a token for the chat socket is refused by the credit API', async () => {
    const client = await registerClient(app.t, app.admin, { scopes: ['credits:spend', 'chat'] });
    const { config, verifier, state, callback } = await consentedCode(app.t, client, {
      params: { scope: 'chat', resource: app.t.config.oauth.chatResource },
    });
    const tokens = await oc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: verifier, expectedState: state },
      { resource: app.t.config.oauth.chatResource },
    );
    const refused = await deduct(tokens.access_token).expect(401);
    expect(refused.body.message).toMatch(/another resource/);
    const unknown = await firstAnswer({
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      scope: 'credits:spend',
      resource: 'https://elsewhere.example/api',
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'S256',
    });
    expect(new URL(unknown.headers.get('location')!).searchParams.get('error')).toBe(
      'invalid_target',
    );
  });

  it('introspection (RFC 7662) tells an integration what a token is, and that it ended', async () => {
    const client = await registerClient(app.t, app.admin);
    const { config, user, verifier, state, callback } = await consentedCode(app.t, client);
    const tokens = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const live = await oc.tokenIntrospection(config, tokens.access_token);
    expect(live).toMatchObject({
      active: true,
      client_id: client.client_id,
      sub: user.id,
      aud: app.t.config.oauth.resource,
      scope: 'credits:read credits:spend',
    });
    await oc.tokenRevocation(config, tokens.access_token);
    expect(await oc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: false,
    });
    // Without client authentication: refused.
    const anonymous = await fetch(`${app.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token!, client_id: client.client_id }),
    });
    expect(anonymous.status).toBe(401);
  });

  it('a confidential client with PKCE off (GPT Actions) works, but only with its secret', async () => {
    const gpt = await registerClient(app.t, app.admin, { pkce_required: false });
    const { callback, state } = await consentedCode(app.t, gpt, { pkce: false });
    const wrong = await configFor(gpt, 'not-the-secret');
    await expect(
      oc.authorizationCodeGrant(wrong, callback, { expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_client' });
    const noSecret = await fetch(`${app.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: REDIRECT_URI,
        client_id: gpt.client_id,
      }),
    });
    expect(noSecret.status).toBe(401);
    const tokens = await oc.authorizationCodeGrant(await configFor(gpt), callback, {
      expectedState: state,
    });
    await deduct(tokens.access_token).expect(200);

    // The same client with PKCE on (the default) refuses an authorization without it.
    const strict = await registerClient(app.t, app.admin);
    const res = await firstAnswer({
      client_id: strict.client_id,
      redirect_uri: REDIRECT_URI,
      scope: 'credits:read',
    });
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('dynamic registration (RFC 7591) registers public clients only, without a cap of their own', async () => {
    const registered = await fetch(`${app.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'MCP Inspector',
        redirect_uris: ['http://127.0.0.1:6274/oauth/callback'],
        token_endpoint_auth_method: 'none',
        default_grant: { period: 'day', period_cap: null, total_cap: null },
        pkce_required: false,
      }),
    });
    expect(registered.status).toBe(201);
    const body = (await registered.json()) as { client_id: string; client_secret?: string };
    expect(body.client_secret).toBeUndefined();
    const [stored] = await app.t.database.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM oauth_payloads WHERE model = 'Client' AND id = $1`,
      [body.client_id],
    );
    expect(stored.payload).toMatchObject({ registered_by: 'dynamic', pkce_required: true });
    expect(stored.payload.default_grant).toBeUndefined();

    const confidential = await fetch(`${app.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: ['https://app.example/cb'],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    });
    expect(confidential.status).toBe(400);
    expect(await confidential.json()).toMatchObject({ error: 'invalid_client_metadata' });
  });

  it('a Client ID Metadata Document on a private or loopback address is never fetched', async () => {
    for (const clientId of [
      'https://127.0.0.1:9/client.json',
      'https://localhost:9/client.json',
      'https://[::1]:9/client.json',
      'https://169.254.169.254/latest/meta-data.json',
    ]) {
      const res = await firstAnswer({
        client_id: clientId,
        redirect_uri: 'https://app.example/cb',
        scope: 'credits:read',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('invalid_client');
    }
    expect(app.t.logs.text).toContain('Client metadata fetch refused');
  });

  it('a code raced by 10 concurrent exchanges is used once (consumption is one conditional UPDATE)', async () => {
    const client = await registerClient(app.t, app.admin);
    const { config, verifier, state, callback } = await consentedCode(app.t, client, {
      params: { scope: 'openid credits:spend' },
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        oc.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: verifier,
          expectedState: state,
        }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won.length).toBeLessThanOrEqual(1);
    for (const lost of outcomes.filter((o) => o.status === 'rejected')) {
      expect(lost.reason).toMatchObject({ error: 'invalid_grant' });
    }
    // The code is used (or gone: a loser saw a replay and revoked everything the code gave).
    const rows = await app.t.database.query<{ consumed: boolean }>(
      `SELECT consumed_at IS NOT NULL AS consumed FROM oauth_payloads
        WHERE model = 'AuthorizationCode' AND id = $1`,
      [callback.searchParams.get('code')],
    );
    expect(rows.every((r) => r.consumed)).toBe(true);
    if (won.length === 1) {
      // The winner's ID token is signed by the published key and names the user.
      const tokens = (won[0] as PromiseFulfilledResult<{ claims(): { sub: string } | undefined }>)
        .value;
      expect(tokens.claims()?.sub).toEqual(expect.any(String));
    }
  });

  it('with openid, the ID token is signed with the published key (ES256) and names the user', async () => {
    const client = await registerClient(app.t, app.admin);
    const { config, user, verifier, state, callback } = await consentedCode(app.t, client, {
      params: { scope: 'openid credits:spend' },
    });
    const tokens = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()).toMatchObject({ sub: user.id, iss: app.issuer, aud: client.client_id });
    const header = JSON.parse(
      Buffer.from(tokens.id_token!.split('.')[0], 'base64url').toString(),
    ) as { alg: string; kid: string };
    expect(header.alg).toBe('ES256');
    const jwks = (await (await fetch(`${app.issuer}/jwks`)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    await deductWith(app.t, tokens.access_token).expect(200);
  });
});
