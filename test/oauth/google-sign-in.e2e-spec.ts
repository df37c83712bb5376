import { Caller, userWithToken } from '../support/admin';
import { FakeGoogle } from '../support/fake-google';
import {
  Browser,
  discoverFor,
  formToken,
  oauthTestEnv,
  oidcClient as oc,
  REDIRECT_URI,
  registerClient,
} from '../support/oauth';
import { startTestApp, TestApp } from '../support/test-app';

/** The sign-in page of an authorization offers the hub's Google login, and comes back to it. */
describe('OAuth sign-in with Google', () => {
  let google: FakeGoogle;
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    google = await FakeGoogle.start();
    const env = await oauthTestEnv();
    t = await startTestApp({
      env: { ...env, ...google.env(`http://127.0.0.1:${env.PORT}/api/auth/google/callback`) },
    });
    admin = await userWithToken(t, { role: 'admin' });
  });
  afterAll(async () => {
    await t.close();
    await google.close();
  });

  async function signInPage(browser: Browser) {
    const client = await registerClient(t, admin);
    const config = await discoverFor(t, client);
    const verifier = oc.randomPKCECodeVerifier();
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'credits:read credits:spend',
      code_challenge: await oc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'g1',
    });
    const page = await browser.follow(url.href);
    const html = await page.res.text();
    const link = /<a class="google" href="([^"]+)"/.exec(html)?.[1].replace(/&amp;/g, '&');
    return { client, config, verifier, page: page.url, html, link };
  }

  it("Google → back to the authorization signed in → consent → code; the grant is the Google user's", async () => {
    google.nextUser = { sub: 'g-oauth-1', email: 'oauth-google@gmail.com', email_verified: true };
    const browser = new Browser(t.url, [new URL(google.url).origin]);
    const { client, config, verifier, link } = await signInPage(browser);
    expect(link).toMatch(/^\/api\/auth\/google\?return_to=oauth&interaction=/);
    const consent = await browser.follow(link!);
    expect(consent.res.status).toBe(200);
    const html = await consent.res.text();
    expect(html).toContain('oauth-google@gmail.com');
    const done = await browser.post(`${consent.url}/consent`, {
      csrf: formToken(html),
      decision: 'allow',
    });
    const callback = new URL(done.url);
    const tokens = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'g1',
    });
    expect(tokens.access_token).toEqual(expect.any(String));
    const [grant] = await t.database.query<{ email: string }>(
      `SELECT u.email FROM grants g JOIN users u ON u.id = g.user_id WHERE g.client_id = $1`,
      [client.client_id],
    );
    expect(grant.email).toBe('oauth-google@gmail.com');
    // The sign-in ticket in the URL is never logged.
    expect(t.logs.text).toContain('/google?ticket=%5BREDACTED%5D');
    expect(t.logs.text).not.toMatch(/ticket=eyJ/);
  });

  it('a ticket for another interaction, or a forged one, does not sign in', async () => {
    const browser = new Browser(t.url);
    const { page } = await signInPage(browser);
    const forged = await browser.follow(`${page}/google?ticket=eyJhbGciOiJIUzI1NiJ9.e30.x`);
    expect(forged.res.status).toBe(401);
    const other = new Browser(t.url, [new URL(google.url).origin]);
    const mine = await signInPage(other);
    // Google for `other`'s interaction, but the ticket replayed on `browser`'s interaction.
    google.nextUser = { sub: 'g-oauth-2', email: 'oauth-google2@gmail.com', email_verified: true };
    const start = await other.fetch(mine.link!);
    const toGoogle = await other.fetch(start.headers.get('location')!);
    const back = await other.fetch(toGoogle.headers.get('location')!);
    const ticketUrl = new URL(back.headers.get('location')!, t.url);
    expect(ticketUrl.pathname).toMatch(/\/google$/);
    const replayed = await browser.follow(`${page}/google${ticketUrl.search}`);
    expect(replayed.res.status).toBe(401);
  });
});
