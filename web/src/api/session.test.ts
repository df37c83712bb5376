import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

function tokenResponse(expiresIn = 900) {
  return new Response(
    JSON.stringify({
      access_token: `at-${Math.random()}`,
      token_type: 'Bearer',
      expires_in: expiresIn,
      user: { id: 'u1', email: 'a@b.test', name: 'A', role: 'user' },
    }),
    { status: 200, headers: { 'Content-Type': 'application/json' } },
  );
}

describe('BrowserSession', () => {
  beforeEach(() => {
    vi.resetModules();
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('shares one refresh between concurrent callers and keeps the token in memory only', async () => {
    const fetch = vi.fn(async () => tokenResponse());
    vi.stubGlobal('fetch', fetch);
    const { session } = await import('./session');
    const [a, b] = await Promise.all([session.refresh(), session.refresh()]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(a).toBe(b);
    expect(session.token).toBe(a);
    expect(session.snapshot()).toMatchObject({ status: 'signed-in', user: { id: 'u1' } });
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it('refreshes a minute before the access token expires', async () => {
    const fetch = vi.fn(async () => tokenResponse(300));
    vi.stubGlobal('fetch', fetch);
    const { session } = await import('./session');
    await session.refresh();
    await vi.advanceTimersByTimeAsync(239_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('is signed out when the server has no login for this browser (204) or refuses it (401)', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(null, { status: 204 })),
    );
    const { session } = await import('./session');
    expect(await session.refresh()).toBeNull();
    expect(session.snapshot()).toEqual({ status: 'signed-out' });
  });

  it('retries a 401 API call once after a silent refresh', async () => {
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname;
        const auth = request.headers.get('Authorization') ?? '';
        calls.push(`${path} ${auth.slice(0, 9)}`);
        if (path === '/api/auth/browser/refresh') return tokenResponse();
        if (!auth) {
          return new Response('{"statusCode":401,"error":"","message":"x","requestId":"r"}', {
            status: 401,
            headers: { 'Content-Type': 'application/json' },
          });
        }
        return new Response('{"balance":"1","available":"1","held":"0"}', {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      }),
    );
    await import('./session');
    const { hub, unwrap } = await import('./client');
    expect(await unwrap(hub.GET('/api/credits/balance'))).toMatchObject({ balance: '1' });
    expect(calls).toEqual([
      '/api/credits/balance ',
      '/api/auth/browser/refresh ',
      '/api/credits/balance Bearer at',
    ]);
  });

  it('maps an error answer to one ApiError with the envelope, and signs out a disabled account', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) =>
        new URL(request.url).pathname === '/api/auth/browser/refresh'
          ? tokenResponse()
          : new Response(
              JSON.stringify({
                statusCode: 403,
                error: 'Forbidden',
                message: 'This account is disabled',
                requestId: 'req-1',
              }),
              { status: 403, headers: { 'Content-Type': 'application/json' } },
            ),
      ),
    );
    const { session } = await import('./session');
    const { hub, unwrap } = await import('./client');
    const { ApiError } = await import('./http');
    await session.refresh();
    const error = await unwrap(hub.GET('/api/account')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, body: { requestId: 'req-1' } });
    expect(session.snapshot()).toEqual({ status: 'signed-out' });
  });

  it('sends no access token to the public routes and does not retry their 401', async () => {
    const fetch = vi.fn(async (request: Request) =>
      new URL(request.url).pathname === '/api/auth/browser/refresh'
        ? tokenResponse()
        : new Response(
            '{"statusCode":401,"error":"Unauthorized","message":"Invalid email or password","requestId":"r"}',
            {
              status: 401,
              headers: { 'Content-Type': 'application/json' },
            },
          ),
    );
    vi.stubGlobal('fetch', fetch);
    const { session } = await import('./session');
    await session.refresh();
    await expect(session.login('a@b.test', 'wrong')).rejects.toThrow('Invalid email or password');
    const login = fetch.mock.calls[1][0];
    expect(new URL(login.url).pathname).toBe('/api/auth/browser/login');
    expect(login.headers.get('Authorization')).toBeNull();
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});
