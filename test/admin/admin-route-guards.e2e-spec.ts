import { randomUUID } from 'node:crypto';
import { request } from '../support/contract';
import { ADMIN_TEST_ENV, Caller, userWithToken } from '../support/admin';
import { startTestApp, TestApp } from '../support/test-app';

interface Route {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route Express actually serves under /api/admin (what Nest registered), e.g. `GET /api/admin/users/:id`. */
function servedAdminRoutes(t: TestApp): Route[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  return express.router.stack
    .filter((layer) => layer.route?.path.startsWith('/api/admin'))
    .flatMap((layer) =>
      Object.keys(layer.route!.methods)
        .filter((m) => m !== '_all')
        .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })),
    );
}

/** The same from the OpenAPI document (`{id}` → `:id`). */
async function documentedAdminRoutes(t: TestApp): Promise<Route[]> {
  const doc = (await request(t.server).get('/api/docs-json').expect(200)).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/admin'))
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({
        method: method.toUpperCase(),
        path: path.replace(/\{(\w+)\}/g, ':$1'),
      })),
    );
}

const key = (r: Route) => `${r.method} ${r.path}`;

describe('every /api/admin route is for admins only', () => {
  let t: TestApp;
  let user: Caller;
  let disabledAdmin: Caller;
  let routes: Route[];

  beforeAll(async () => {
    t = await startTestApp({ env: ADMIN_TEST_ENV });
    user = await userWithToken(t);
    disabledAdmin = await userWithToken(t, { role: 'admin' });
    await t.database.query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [
      disabledAdmin.id,
    ]);
    routes = servedAdminRoutes(t);
  });
  afterAll(() => t.close());

  it('finds the routes from what the app serves, and each one is in the OpenAPI document', async () => {
    const documented = (await documentedAdminRoutes(t)).map(key).sort();
    expect(routes.map(key).sort()).toEqual(documented);
    // The routes at least (others, e.g. /api/admin/models, are walked too when present).
    expect(routes.map(key)).toEqual(
      expect.arrayContaining([
        'POST /api/admin/users/:id/credits/top-up',
        'POST /api/admin/users/:id/credits/adjust',
        'GET /api/admin/users/:id/credits',
        'GET /api/admin/transactions',
        'POST /api/admin/transactions/:id/refund',
        'GET /api/admin/users',
        'GET /api/admin/users/:id',
        'PATCH /api/admin/users/:id',
        'GET /api/admin/users/:id/sessions',
        'DELETE /api/admin/users/:id/sessions',
        'DELETE /api/admin/sessions/:id',
        'POST /api/admin/promo-codes',
        'POST /api/admin/promo-codes/batch',
        'GET /api/admin/promo-codes',
        'PATCH /api/admin/promo-codes/:id',
        'POST /api/admin/api-keys',
        'GET /api/admin/api-keys',
        'DELETE /api/admin/api-keys/:id',
        'GET /api/admin/usage',
        'GET /api/admin/audit-log',
      ]),
    );
  });

  it('answers 401 without a token, 401 with a forged one, 403 to a plain user and to a disabled admin', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    const forged = `${user.token.slice(0, -4)}AAAA`;
    for (const route of routes) {
      const path = route.path.replace(/:\w+/g, () => randomUUID());
      const send = (auth?: string) => {
        const req = request(t.server)[route.method.toLowerCase() as 'get'](path);
        if (auth) req.set('Authorization', auth);
        return req.send({});
      };
      const [anonymous, bad, plain, disabled] = await Promise.all([
        send(),
        send(`Bearer ${forged}`),
        send(user.auth),
        send(disabledAdmin.auth),
      ]);
      outcomes.push(
        `${key(route)} → ${anonymous.status} ${bad.status} ${plain.status} ${disabled.status}`,
      );
      expected.push(`${key(route)} → 401 401 403 403`);
    }
    expect(outcomes).toEqual(expected);
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });

  it('writes no audit row for any refused call', async () => {
    expect(await t.database.query(`SELECT id FROM audit_log`)).toEqual([]);
  });
});
