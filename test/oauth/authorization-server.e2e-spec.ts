import { request } from '../support/contract';
import { adminApi } from '../support/admin';
import { OAuthHousekeeping } from '../../src/oauth/oauth-housekeeping';
import {
  Browser,
  consentedCode,
  deductWith,
  discoverFor,
  formToken,
  PASSWORD,
  passwordUser,
  oidcClient as oc,
  REDIRECT_URI,
  registerClient,
  useOAuthApp,
} from '../support/oauth';
import { accountFacts } from '../support/credits';
import { accessTokenFor } from '../support/users';

/**
 * The OAuth 2.1 authorization server end to end, driven by openid-client as ChatGPT would:
 * discovery → authorize → sign in → consent with a lowered cap → code → token → deduct until the
 * cap → 402 naming the grant → revoke → 401.
 */
describe('OAuth authorization server (/oauth) with spending grants', () => {
  const app = useOAuthApp();

  const deduct = (token: string, cost: string) => deductWith(app.t, token, cost);

  it('publishes RFC 8414 / OIDC metadata and the RFC 9728 document the 401 names', async () => {
    const as = await request(app.t.server)
      .get('/.well-known/oauth-authorization-server')
      .expect(200);
    expect(as.body).toMatchObject({
      issuer: app.issuer,
      authorization_endpoint: `${app.issuer}/auth`,
      token_endpoint: `${app.issuer}/token`,
      revocation_endpoint: `${app.issuer}/token/revocation`,
      introspection_endpoint: `${app.issuer}/token/introspection`,
      registration_endpoint: `${app.issuer}/reg`,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(as.body.scopes_supported).toEqual(
      expect.arrayContaining(['profile', 'credits:read', 'credits:spend', 'chat']),
    );
    const oidc = await request(app.t.server).get('/.well-known/openid-configuration').expect(200);
    expect(oidc.body.issuer).toBe(app.issuer);
    await request(app.t.server).get('/.well-known/oauth-authorization-server/oauth').expect(200);

    const refused = await request(app.t.server)
      .post('/api/mcp/v1/credits/deduct')
      .send({})
      .expect(401);
    const challenge = refused.headers['www-authenticate'];
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)![1];
    const prm = await request(app.t.server).get(new URL(metadataUrl).pathname).expect(200);
    expect(prm.body).toEqual({
      resource: app.t.config.oauth.resource,
      authorization_servers: [app.issuer],
      scopes_supported: ['credits:read', 'credits:spend'],
      bearer_methods_supported: ['header'],
      resource_name: 'Smart AI Hub credit API',
    });
  });

  it('full flow: consent with a lowered cap, deduct up to it, 402 naming the grant, revoke → 401', async () => {
    const client = await registerClient(app.t, app.admin);
    expect(client.client_secret).toEqual(expect.any(String));
    const { config, user, verifier, state, consentHtml, callback } = await consentedCode(
      app.t,
      client,
      { consent: { period_cap: '10' } },
    );
    // The consent page names the app, the scopes in words and the proposed cap.
    expect(consentHtml).toContain('Test GPT');
    expect(consentHtml).toContain('name="period_cap"');
    expect(consentHtml).toContain('value="50"');
    // RFC 9207: the issuer in the authorization response.
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('iss')).toBe(app.issuer);

    const tokens = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const grants = await request(app.t.server)
      .get('/api/grants')
      .set('Authorization', `Bearer ${await accessTokenFor(app.t, user)}`)
      .expect(200);
    const [grant] = (
      grants.body as {
        items: {
          id: string;
          period_cap: string;
          source: string;
          client_id: string;
          scopes: string[];
        }[];
      }
    ).items;
    expect(grant).toMatchObject({
      period_cap: '10',
      source: 'consent',
      client_id: client.client_id,
      scopes: ['credits:read', 'credits:spend'],
    });

    await deduct(tokens.access_token, '4').expect(200);
    await deduct(tokens.access_token, '6').expect(200);
    const limited = await deduct(tokens.access_token, '0.0001').expect(402);
    expect(limited.body).toMatchObject({
      error: 'Grant limit reached',
      grant_id: grant.id,
      limit: 'monthly',
    });

    await request(app.t.server)
      .delete(`/api/grants/${grant.id}`)
      .set('Authorization', `Bearer ${await accessTokenFor(app.t, user)}`)
      .expect(200);
    const dead = await deduct(tokens.access_token, '1').expect(401);
    expect(dead.headers['www-authenticate']).toContain('error="invalid_token"');
    // Its refresh token died with it.
    await expect(oc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toThrow();
    expect(Number((await accountFacts(app.t.database, user.id)).balance)).toBe(90);
  });

  it('never lets the user raise the cap above the client default', async () => {
    const client = await registerClient(app.t, app.admin);
    await expect(consentedCode(app.t, client, { consent: { period_cap: '51' } })).rejects.toThrow();
    const grants = await app.t.database.query(`SELECT 1 FROM grants WHERE client_id = $1`, [
      client.client_id,
    ]);
    expect(grants).toHaveLength(0);
  });

  it('revocation (RFC 7009) of the access token ends it at the credit API', async () => {
    const client = await registerClient(app.t, app.admin);
    const { config, verifier, state, callback } = await consentedCode(app.t, client);
    const tokens = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    await deduct(tokens.access_token, '1').expect(200);
    await oc.tokenRevocation(config, tokens.access_token);
    await deduct(tokens.access_token, '1').expect(401);
  });

  it('admin client API: list, get, update, delete (tokens die), secret never listed', async () => {
    const client = await registerClient(app.t, app.admin, { client_name: 'Listed' });
    const list = await adminApi(app.t, app.admin).get('/oauth/clients').expect(200);
    const listed = (list.body as { items: Record<string, unknown>[] }).items.find(
      (c) => c.client_id === client.client_id,
    );
    expect(listed).toMatchObject({ client_name: 'Listed', pkce_required: true });
    expect(JSON.stringify(list.body)).not.toContain(client.client_secret!);
    const stored = await app.t.database.query<{ secret: string }>(
      `SELECT payload->>'client_secret' AS secret FROM oauth_payloads WHERE model = 'Client' AND id = $1`,
      [client.client_id],
    );
    expect(stored[0].secret).toMatch(/^sha256:/);
    const updated = await adminApi(app.t, app.admin)
      .patch(`/oauth/clients/${client.client_id}`)
      .send({ client_name: 'Renamed', pkce_required: false })
      .expect(200);
    expect(updated.body).toMatchObject({ client_name: 'Renamed', pkce_required: false });
    await adminApi(app.t, app.admin)
      .post('/oauth/clients')
      .send({
        client_name: 'Bad',
        redirect_uris: [REDIRECT_URI],
        client_type: 'public',
        scopes: ['credits:read'],
        pkce_required: false,
      })
      .expect(400);
    await adminApi(app.t, app.admin).delete(`/oauth/clients/${client.client_id}`).expect(200);
    await adminApi(app.t, app.admin).get(`/oauth/clients/${client.client_id}`).expect(404);
  });

  it('pages: Thai by default, English by Accept-Language or the switch; no script; labelled fields', async () => {
    const client = await registerClient(app.t, app.admin, { client_name: 'Lang <b>App</b>' });
    const config = await discoverFor(app.t, client);
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'credits:read',
      code_challenge: await oc.calculatePKCECodeChallenge(oc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const browser = new Browser(app.t.url);
    const thai = await browser.follow(url.href);
    const page = thai.url;
    const html = await thai.res.text();
    expect(html).toContain('<html lang="th">');
    expect(html).toContain('เข้าสู่ระบบ');
    expect(html).toContain('Lang &lt;b&gt;App&lt;/b&gt;');
    expect(html).toContain('<label for="email">');
    expect(html).toContain('<label for="password">');
    expect(html).not.toContain('<script');
    const csp = thai.res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).not.toContain('unsafe-inline');
    expect(thai.res.headers.get('cache-control')).toBe('no-store');
    const english = await browser.fetch(page, { headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(await english.text()).toContain('<html lang="en">');
    const switched = await browser.fetch(`${page}?lang=en`);
    expect(await switched.text()).toContain('Sign in to Smart AI Hub');
  });

  it('forms are CSRF-safe: no or a wrong form token → 403; another browser (no cookie) → 400', async () => {
    const client = await registerClient(app.t, app.admin);
    const config = await discoverFor(app.t, client);
    const user = await passwordUser(app.t);
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'credits:read',
      code_challenge: await oc.calculatePKCECodeChallenge(oc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const browser = new Browser(app.t.url);
    const login = await browser.follow(url.href);
    const csrf = formToken(await login.res.text());
    const form = { email: user.email, password: PASSWORD };
    expect((await browser.post(`${login.url}/login`, form)).res.status).toBe(403);
    expect((await browser.post(`${login.url}/login`, { ...form, csrf: 'x' })).res.status).toBe(403);
    const stranger = new Browser(app.t.url);
    expect((await stranger.post(`${login.url}/login`, { ...form, csrf })).res.status).toBe(400);
    const wrong = await browser.post(`${login.url}/login`, { ...form, password: 'nope', csrf });
    expect(wrong.res.status).toBe(401);
    expect(await wrong.res.text()).toContain('role="alert"');
  });

  it('deny sends the app access_denied and creates no grant', async () => {
    const client = await registerClient(app.t, app.admin);
    const config = await discoverFor(app.t, client);
    const user = await passwordUser(app.t);
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'credits:read',
      state: 'st',
      code_challenge: await oc.calculatePKCECodeChallenge(oc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const browser = new Browser(app.t.url);
    const login = await browser.follow(url.href);
    const consent = await browser.post(`${login.url}/login`, {
      csrf: formToken(await login.res.text()),
      email: user.email,
      password: PASSWORD,
    });
    const denied = await browser.post(`${consent.url}/consent`, {
      csrf: formToken(await consent.res.text()),
      decision: 'deny',
    });
    const back = new URL(denied.url);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('st');
    const grants = await app.t.database.query(`SELECT 1 FROM grants WHERE user_id = $1`, [user.id]);
    expect(grants).toHaveLength(0);
  });

  it('200 concurrent deducts with one token against a cap of 10: exactly the cap is spent', async () => {
    const client = await registerClient(app.t, app.admin);
    const { config, user, verifier, state, callback } = await consentedCode(app.t, client, {
      consent: { period_cap: '10' },
    });
    const { access_token } = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        deductWith(app.t, access_token, '0.1').then((r) => r.status),
      ),
    );
    expect(results.filter((s) => s === 200)).toHaveLength(100);
    expect(results.filter((s) => s === 402)).toHaveLength(100);
    const [grant] = await app.t.database.query<{ period_spent: string }>(
      `SELECT period_spent::text FROM grants WHERE user_id = $1 AND client_id = $2`,
      [user.id, client.client_id],
    );
    expect(Number(grant.period_spent)).toBe(10);
    expect(Number((await accountFacts(app.t.database, user.id)).balance)).toBe(90);
  });

  it('an access token past its expiry is refused (the store honours expires_at), and pruned', async () => {
    const client = await registerClient(app.t, app.admin);
    const { config, verifier, state, callback } = await consentedCode(app.t, client);
    const { access_token } = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    await deductWith(app.t, access_token).expect(200);
    await app.t.database.query(
      `UPDATE oauth_payloads SET expires_at = now() - interval '1 second'
        WHERE model = 'AccessToken' AND id = $1`,
      [access_token],
    );
    await deductWith(app.t, access_token).expect(401);
    expect(await app.t.app.get(OAuthHousekeeping).run()).toBeGreaterThanOrEqual(1);
    const left = await app.t.database.query(`SELECT 1 FROM oauth_payloads WHERE id = $1`, [
      access_token,
    ]);
    expect(left).toHaveLength(0);
  });
});
