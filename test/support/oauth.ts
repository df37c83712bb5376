import type * as OpenIdClient from 'openid-client' with { 'resolution-mode': 'import' };
import { PasswordHasher } from '../../src/auth/passwords';
import { adminApi, ADMIN_TEST_ENV, Caller, userWithToken } from './admin';
import { request } from './contract';
import { CREDITS_TEST_ENV, topUp } from './credits';
import { freePort } from './free-port';
import { startTestApp, TestApp } from './test-app';
import { insertUser, TestUser } from './users';

/** openid-client 6 (ES module only; Jest compiles it, see jest.config.js), as ChatGPT would use. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const oidcClient = require('openid-client') as typeof OpenIdClient;

export const REDIRECT_URI = 'https://chat.example.test/aip/g-test/oauth/callback';

/** The environment of an OAuth suite: a known port, so the issuer is the app's real address. */
export async function oauthTestEnv(extra: Record<string, string> = {}) {
  const port = await freePort();
  return {
    ...CREDITS_TEST_ENV,
    ...ADMIN_TEST_ENV,
    SIGNUP_BONUS_CREDITS: '0',
    PORT: String(port),
    OAUTH_ISSUER: `http://127.0.0.1:${port}/oauth`,
    ...extra,
  };
}

/**
 * An OAuth suite's start-up: one app whose issuer is its real address (`oauthTestEnv`) and an
 * admin who registers the clients, closed after the file.
 */
export function useOAuthApp(): {
  readonly t: TestApp;
  readonly admin: Caller;
  readonly issuer: string;
} {
  let t: TestApp;
  let admin: Caller;
  beforeAll(async () => {
    t = await startTestApp({ env: await oauthTestEnv() });
    admin = await userWithToken(t, { role: 'admin' });
  });
  afterAll(() => t?.close());
  return {
    get t() {
      return t;
    },
    get admin() {
      return admin;
    },
    get issuer() {
      return t.config.oauth.issuer;
    },
  };
}

export const PASSWORD = 'correct horse battery staple 42';

/** A user who can sign in with PASSWORD. */
export async function passwordUser(t: TestApp): Promise<TestUser> {
  const user = await insertUser(t.database);
  const hash = await t.app.get(PasswordHasher).hash(PASSWORD);
  await t.database.query(`UPDATE users SET password_hash = $1 WHERE id = $2`, [hash, user.id]);
  return user;
}

export interface RegisteredClient {
  client_id: string;
  client_secret: string | null;
  [key: string]: unknown;
}

export async function registerClient(
  t: TestApp,
  admin: Caller,
  fields: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  const res = await adminApi(t, admin)
    .post('/oauth/clients')
    .send({
      client_name: 'Test GPT',
      redirect_uris: [REDIRECT_URI],
      client_type: 'confidential',
      scopes: ['credits:read', 'credits:spend'],
      default_grant: { period: 'month', period_cap: '50', total_cap: null },
      ...fields,
    })
    .expect(201);
  return res.body as RegisteredClient;
}

/**
 * A person's browser: follows redirects by hand, keeps cookies (by name; enough for one site),
 * and stops at the first redirect that leaves the hub (the app's redirect URI).
 */
export class Browser {
  private readonly cookies = new Map<string, string>();

  /** `alsoFollow`: other origins the browser goes on to (e.g. the fake Google). */
  constructor(
    private readonly origin: string,
    private readonly alsoFollow: string[] = [],
  ) {}

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const res = await fetch(new URL(url, this.origin), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** GET `url` and follow redirects within the hub; answers the last response and its URL. */
  async follow(url: string, init: RequestInit = {}): Promise<{ res: Response; url: string }> {
    let res = await this.fetch(url, init);
    let current = new URL(url, this.origin).href;
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      const next = new URL(res.headers.get('location')!, current).href;
      const origin = new URL(next).origin;
      if (origin !== this.origin && !this.alsoFollow.includes(origin)) return { res, url: next };
      current = next;
      res = await this.fetch(next);
    }
    return { res, url: current };
  }

  /** POSTs a form (url-encoded) and follows the redirects. */
  post(url: string, form: Record<string, string>) {
    return this.follow(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }
}

export function formToken(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`No form token in the page:\n${html.slice(0, 500)}`);
  return match[1];
}

/**
 * Sign-in and consent in `browser` for an authorization URL; answers the consent page's HTML and
 * the redirect to the app (with code, state and iss).
 */
export async function authorizeInBrowser(
  browser: Browser,
  authorizationUrl: string,
  user: TestUser,
  consent: Record<string, string> = {},
): Promise<{ consentHtml: string; callback: URL }> {
  const login = await browser.follow(authorizationUrl);
  expect(login.res.status).toBe(200);
  const loginHtml = await login.res.text();
  const consentPage = await browser.post(`${login.url.split('?')[0]}/login`, {
    csrf: formToken(loginHtml),
    email: user.email,
    password: PASSWORD,
  });
  expect(consentPage.res.status).toBe(200);
  const consentHtml = await consentPage.res.text();
  const done = await browser.post(`${consentPage.url.split('?')[0]}/consent`, {
    csrf: formToken(consentHtml),
    decision: 'allow',
    ...consent,
  });
  expect(done.res.status).toBe(303);
  return { consentHtml, callback: new URL(done.url) };
}

/** openid-client's view of the hub for `client` (its secret by POST, or none: public). */
export function discoverFor(
  t: TestApp,
  client: RegisteredClient,
  secret: string | null = client.client_secret,
) {
  return oidcClient.discovery(
    new URL(t.config.oauth.issuer),
    client.client_id,
    undefined,
    secret ? oidcClient.ClientSecretPost(secret) : oidcClient.None(),
    { execute: [oidcClient.allowInsecureRequests] },
  );
}

/** A deduct on the credit API with an OAuth access token. */
export function deductWith(t: TestApp, token: string, cost = '1') {
  return request(t.server)
    .post('/api/mcp/v1/credits/deduct')
    .set('Authorization', `Bearer ${token}`)
    .send({ service: 'oauth-test', cost });
}

/**
 * A new user with 100 credits signs in and consents (`consent`: the form's fields) in a browser;
 * answers the callback URL and what the token exchange needs.
 */
export async function consentedCode(
  t: TestApp,
  client: RegisteredClient,
  options: {
    params?: Record<string, string>;
    pkce?: boolean;
    consent?: Record<string, string>;
  } = {},
) {
  const { params = {}, pkce = true, consent = {} } = options;
  const config = await discoverFor(t, client);
  const user = await passwordUser(t);
  await topUp(t, user.id, '100');
  const verifier = oidcClient.randomPKCECodeVerifier();
  const state = oidcClient.randomState();
  const url = oidcClient.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'credits:read credits:spend',
    state,
    ...(pkce
      ? {
          code_challenge: await oidcClient.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        }
      : {}),
    ...params,
  });
  const { callback, consentHtml } = await authorizeInBrowser(
    new Browser(t.url),
    url.href,
    user,
    consent,
  );
  return { config, user, verifier: pkce ? verifier : undefined, state, callback, consentHtml };
}

/**
 * An app's access token for the chat socket (`resource` /mcp): a new user with 100 credits
 * consents to `scope` (`consent`: the form's fields); answers the token and the user's grant.
 */
export async function chatAccessToken(
  t: TestApp,
  client: RegisteredClient,
  options: { scope?: string; consent?: Record<string, string> } = {},
) {
  const resource = t.config.oauth.chatResource;
  const { config, user, verifier, state, callback } = await consentedCode(t, client, {
    params: { scope: options.scope ?? 'chat', resource },
    consent: options.consent,
  });
  const tokens = await oidcClient.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, expectedState: state },
    { resource },
  );
  const [grant] = await t.database.query<{ id: string }>(
    `SELECT id FROM grants WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL`,
    [user.id, client.client_id],
  );
  return { config, user, accessToken: tokens.access_token, grantId: grant.id };
}
