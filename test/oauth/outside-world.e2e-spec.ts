import { CimdGuard } from '../../src/oauth/cimd-guard';
import { startCimdFixture } from '../support/cimd-fixture';
import { request } from '../support/contract';
import {
  consentedCode,
  deductWith,
  oauthTestEnv,
  oidcClient as oc,
  REDIRECT_URI,
} from '../support/oauth';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The authorization server and the world around it. An MCP client identified by a Client ID
 * Metadata Document (its client_id is an https URL the hub fetches): the document is served by a
 * local https fixture, and the hub is started with the fixture's network (its host on loopback,
 * its certificate trusted) in place of the public internet, the one seam of the SSRF guard
 * (production refuses loopback: protocol.e2e-spec). And a proxy in front (TRUST_PROXY): the
 * headers it would forward do not reach the URLs the hub publishes.
 */
describe('OAuth and the outside world: fetched client metadata, a proxy in front', () => {
  let fixture: Awaited<ReturnType<typeof startCimdFixture>>;
  let t: TestApp;

  beforeAll(async () => {
    fixture = await startCimdFixture();
    t = await startTestApp({
      env: await oauthTestEnv({ TRUST_PROXY: 'loopback' }),
      cimdNetwork: fixture.network,
    });
  });
  afterAll(async () => {
    await t.close();
    await fixture.close();
  });

  it('a document fetched over https becomes a public client: consent, code + PKCE, token, deduct', async () => {
    const clientId = fixture.serve('/client.json', (url) => ({
      client_id: url,
      client_name: 'Fixture MCP client',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }));
    // A public client (no secret), as openid-client sees it: discovery, PKCE, sign-in, consent.
    const { config, verifier, state, callback, consentHtml } = await consentedCode(t, {
      client_id: clientId,
      client_secret: null,
    });
    expect(consentHtml).toContain('Fixture MCP client');
    const tokens = await oc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    await deductWith(t, tokens.access_token).expect(200);
    // Fetched once, then from the provider's cache (at least 30 s).
    expect(fixture.fetched).toEqual(['/client.json']);
  });

  it('the certificate is checked: without trusting the fixture, the fetch fails', async () => {
    const clientId = fixture.serve('/untrusted.json', (url) => ({ client_id: url }));
    await expect(new CimdGuard(fixture.untrusted).fetch(clientId, {})).rejects.toThrow(
      /self[- ]signed certificate/,
    );
    await expect(new CimdGuard(fixture.network).fetch(clientId, {})).resolves.toMatchObject({
      status: 200,
    });
  });

  it('the metadata names the issuer whatever Host, X-Forwarded-Host or X-Forwarded-Proto say', async () => {
    const issuer = t.config.oauth.issuer;
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/oauth/.well-known/openid-configuration',
    ]) {
      const spoofed = await request(t.server)
        .get(path)
        .set('Host', 'attacker.example')
        .set('X-Forwarded-Host', 'attacker.example')
        .set('X-Forwarded-Proto', 'https')
        .expect(200);
      expect(spoofed.body).toMatchObject({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        registration_endpoint: `${issuer}/reg`,
        jwks_uri: `${issuer}/jwks`,
      });
      expect(JSON.stringify(spoofed.body)).not.toContain('attacker.example');
    }
  });
});
