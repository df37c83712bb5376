import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What Google's OpenID Connect userinfo endpoint answers (the fields the app reads). */
export interface FakeGoogleUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export const FAKE_CLIENT_ID = 'test-client.apps.googleusercontent.com';
export const FAKE_CLIENT_SECRET = 'test-client-secret';

interface IssuedCode {
  user: FakeGoogleUser;
  redirectUri: string;
  /** PKCE (RFC 7636, S256 only, as the app sends it): the exchange must prove the verifier. */
  codeChallenge: string | null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * A small OAuth 2.0 / OpenID Connect provider speaking Google's wire format: `/authorize`
 * (redirects back with `code` + `state`, or `error=access_denied`), `/token` (form-encoded code
 * exchange with client credentials, codes single use, redirect_uri checked) and `/userinfo`
 * (Bearer access token). The app's real passport strategy talks to it over HTTP.
 */
export class FakeGoogle {
  /** Who "logs in" at the next /authorize; `deny` makes the user press Cancel instead. */
  nextUser: FakeGoogleUser | 'deny' = {
    sub: '1000',
    email: 'user@gmail.com',
    email_verified: true,
  };
  readonly authorizeRequests: URL[] = [];
  readonly tokenRequests: URLSearchParams[] = [];
  private readonly codes = new Map<string, IssuedCode>();
  private readonly accessTokens = new Map<string, FakeGoogleUser>();

  private constructor(private readonly server: Server) {}

  /** On a free port of 127.0.0.1 unless `port` is given (`npm run dev:fake-google`). */
  static async start(port = 0): Promise<FakeGoogle> {
    const fake = new FakeGoogle(createServer());
    fake.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.handle(req, res).catch((error: Error) => json(res, 500, { error: error.message }));
    });
    await new Promise<void>((resolve) => fake.server.listen(port, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The app's GOOGLE_* variables pointing at this server. */
  env(callbackUrl: string): Record<string, string> {
    return {
      GOOGLE_CLIENT_ID: FAKE_CLIENT_ID,
      GOOGLE_CLIENT_SECRET: FAKE_CLIENT_SECRET,
      GOOGLE_CALLBACK_URL: callbackUrl,
      GOOGLE_AUTHORIZATION_URL: `${this.url}/authorize`,
      GOOGLE_TOKEN_URL: `${this.url}/token`,
      GOOGLE_USERINFO_URL: `${this.url}/userinfo`,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/authorize') return this.authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/token') return this.token(req, res);
    if (req.method === 'GET' && url.pathname === '/userinfo') return this.userinfo(req, url, res);
    json(res, 404, { error: 'not_found' });
  }

  private authorize(url: URL, res: ServerResponse): void {
    this.authorizeRequests.push(url);
    const redirectUri = url.searchParams.get('redirect_uri');
    if (url.searchParams.get('client_id') !== FAKE_CLIENT_ID || !redirectUri) {
      return json(res, 400, { error: 'invalid_client' });
    }
    if (url.searchParams.get('response_type') !== 'code') {
      return json(res, 400, { error: 'unsupported_response_type' });
    }
    const back = new URL(redirectUri);
    const state = url.searchParams.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (this.nextUser === 'deny') {
      back.searchParams.set('error', 'access_denied');
    } else {
      const code = `4/${randomBytes(16).toString('hex')}`;
      const method = url.searchParams.get('code_challenge_method');
      const codeChallenge = url.searchParams.get('code_challenge');
      if (codeChallenge !== null && method !== 'S256') {
        return json(res, 400, { error: 'invalid_request', error_description: 'S256 only' });
      }
      this.codes.set(code, { user: this.nextUser, redirectUri, codeChallenge });
      back.searchParams.set('code', code);
      back.searchParams.set('scope', url.searchParams.get('scope') ?? '');
    }
    res.writeHead(302, { Location: back.toString() });
    res.end();
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    this.tokenRequests.push(form);
    if (
      form.get('client_id') !== FAKE_CLIENT_ID ||
      form.get('client_secret') !== FAKE_CLIENT_SECRET
    ) {
      return json(res, 401, { error: 'invalid_client' });
    }
    const issued = this.codes.get(form.get('code') ?? '');
    this.codes.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier');
    const proven =
      issued?.codeChallenge === null ||
      (verifier !== null &&
        createHash('sha256').update(verifier).digest('base64url') === issued?.codeChallenge);
    if (
      form.get('grant_type') !== 'authorization_code' ||
      !issued ||
      issued.redirectUri !== form.get('redirect_uri') ||
      !proven
    ) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
    }
    const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, issued.user);
    json(res, 200, {
      access_token: accessToken,
      expires_in: 3599,
      token_type: 'Bearer',
      scope: 'openid https://www.googleapis.com/auth/userinfo.email',
    });
  }

  /** Like Google, takes the token as a Bearer header or as `access_token` (node-oauth's way). */
  private userinfo(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const token =
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ??
      url.searchParams.get('access_token');
    const user = token ? this.accessTokens.get(token) : undefined;
    if (!user) {
      return json(res, 401, { error: 'invalid_request', error_description: 'Invalid Credentials' });
    }
    json(res, 200, { ...user, picture: 'https://lh3.googleusercontent.com/a/x' });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
