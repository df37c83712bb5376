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
      vi.fn(async (url: string, init?: RequestInit) => {
        const auth = (init?.headers as Record<string, string> | undefined)?.Authorization ?? '';
        calls.push(`${url} ${auth.slice(0, 9)}`);
        if (url === '/api/auth/browser/refresh') return tokenResponse();
        if (!auth)
          return new Response('{"statusCode":401,"error":"","message":"x"}', { status: 401 });
        return new Response('{"ok":true}', { status: 200 });
      }),
    );
    const { api } = await import('./api');
    expect(await api('/api/thing')).toEqual({ ok: true });
    expect(calls).toEqual(['/api/thing ', '/api/auth/browser/refresh ', '/api/thing Bearer at']);
  });
});
