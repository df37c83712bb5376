import type { Express } from 'express';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../../src/common/openapi/openapi-document';
import { contractViolation, request } from '../support/contract';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The OpenAPI document is the contract (issue 16): every operation says what a success returns,
 * every name on the wire is snake_case except the ones the seeds pin, and nothing Express serves
 * is missing from it.
 */

/** The camelCase names the seeds pin, by schema. Nothing else may have a capital letter. */
const PINNED: Record<string, string[]> = {
  ErrorResponseDto: ['statusCode', 'requestId'],
  InsufficientCreditsErrorDto: ['statusCode', 'requestId', 'userId'],
  GrantLimitErrorDto: ['statusCode', 'requestId'],
  CheckResultDto: ['userId'],
  DeductResultDto: ['userId'],
  VerifySessionResultDto: ['expiresAt'],
};

/** Served on purpose without being part of the API (the same list as test/support/contract.ts). */
const NOT_API = [
  'GET /metrics', // Prometheus text, for the scraper with METRICS_TOKEN
  'GET /chat', // the old page's redirect to the web app
  'GET /{*path}', // the web app's page for any other path
];

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface ExpressLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** Every route of the Express router as `METHOD /path/{param}`. */
function expressRoutes(app: Express): string[] {
  const stack = (app as unknown as { router: { stack: ExpressLayer[] } }).router.stack;
  const routes = new Set<string>();
  for (const layer of stack) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const path of paths) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (!on || method === '_all') continue;
        routes.add(`${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
  }
  return [...routes].sort();
}

/** Every property name of a schema, nested ones included, with where it was found. */
function propertyNames(schema: unknown, where: string, out: [string, string][] = []) {
  if (Array.isArray(schema)) {
    schema.forEach((item) => propertyNames(item, where, out));
  } else if (typeof schema === 'object' && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'example' || key === 'examples') continue;
      if (key === 'properties') {
        for (const [name, property] of Object.entries(value as object)) {
          out.push([where, name]);
          propertyNames(property, `${where}.${name}`, out);
        }
      } else {
        propertyNames(value, where, out);
      }
    }
  }
  return out;
}

describe('the OpenAPI document (/api/docs-json)', () => {
  let t: TestApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    t = await startTestApp();
    document = buildOpenApiDocument(t.app);
  });
  afterAll(() => t.close());

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({
        name: `${m.toUpperCase()} ${path}`,
        operation: item[m]!,
      })),
    );

  it('is what /api/docs-json serves', async () => {
    const served = await request(t.server).get('/api/docs-json').expect(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('gives every operation a success response with a schema (204 and redirects: none)', () => {
    const missing = operations()
      .filter(({ operation }) => {
        const statuses = Object.keys(operation.responses);
        const successes = statuses.filter((s) => /^2\d\d$/.test(s));
        if (successes.length === 0) return !statuses.some((s) => /^3\d\d$/.test(s));
        return successes.some((status) => {
          const response = operation.responses[status] as { content?: Record<string, object> };
          if (status === '204') return response.content !== undefined;
          const media = Object.values(response.content ?? {});
          return media.length === 0 || media.some((m) => !('schema' in m));
        });
      })
      .map(({ name }) => name);
    expect(missing).toEqual([]);
    expect(operations().length).toBeGreaterThan(60);
  });

  it('gives every error response the error envelope (or an HTML page of the Google login)', () => {
    const bare = operations().flatMap(({ name, operation }) =>
      Object.entries(operation.responses)
        .filter(([status]) => status === 'default' || Number(status) >= 400)
        .filter(([, response]) => !response || !('content' in response) || !response.content)
        .map(([status]) => `${name} ${status}`),
    );
    expect(bare).toEqual([]);
  });

  it('names every field in snake_case, except the names the seeds pin', () => {
    const names: [string, string][] = [];
    for (const [schema, body] of Object.entries(document.components?.schemas ?? {})) {
      propertyNames(body, schema, names);
    }
    for (const { name, operation } of operations()) {
      propertyNames(operation.requestBody, name, names);
      propertyNames(operation.responses, name, names);
      for (const parameter of operation.parameters ?? []) {
        if ('in' in parameter && parameter.in !== 'header') names.push([name, parameter.name]);
      }
    }
    const offending = names
      .filter(([where, name]) => !SNAKE.test(name) && !PINNED[where]?.includes(name))
      .map(([where, name]) => `${where}.${name}`);
    expect(offending).toEqual([]);
    // The pinned names are there, so this test cannot pass by finding nothing.
    expect(names).toContainEqual(['VerifySessionResultDto', 'expiresAt']);
    expect(names).toContainEqual(['DeductResultDto', 'user_id']);
  });

  it('documents every route Express serves (except the few that are not API)', () => {
    const documented = new Set(operations().map(({ name }) => name));
    const served = expressRoutes(t.app.getHttpAdapter().getInstance());
    const undocumented = served.filter(
      (route) => !documented.has(route) && !NOT_API.includes(route) && !route.includes('/api/docs'),
    );
    expect(undocumented).toEqual([]);
    // oidc-provider's protocol endpoints (/oauth/auth, /oauth/token, …, the RFC 8414 metadata) are
    // left out on purpose: a middleware hands them to the provider (they are no Express route), and
    // their contract is the OAuth RFCs, checked with openid-client in test/oauth. Only the hub's
    // own pages under /oauth/interaction/ are routes, and documented.
    expect(served.filter((route) => / \/oauth\//.test(route))).toEqual(
      served.filter((route) => / \/oauth\/interaction\//.test(route)),
    );
    expect(documented.has('GET /oauth/interaction/{uid}')).toBe(true);
    // And every documented operation is served.
    expect([...documented].filter((route) => !served.includes(route))).toEqual([]);
  });

  it('the response checker of the e2e helpers refuses a body the document does not describe', () => {
    const res = (body: unknown, status = 200) => ({
      status,
      body,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      req: { method: 'GET', path: '/api/credits/balance' },
    });
    const balance = { user_id: crypto.randomUUID(), balance: '1', available: '1', held: '0' };
    expect(contractViolation(t.app, res(balance))).toBeUndefined();
    expect(contractViolation(t.app, res({ ...balance, userId: balance.user_id }))).toMatch(
      /must NOT have additional properties "userId"/,
    );
    expect(contractViolation(t.app, res({ ...balance, balance: 1 }))).toMatch(/balance must be/);
    expect(contractViolation(t.app, res({ message: 'no envelope' }, 401))).toMatch(
      /must have required property/,
    );
    expect(
      contractViolation(t.app, { ...res(balance), req: { method: 'GET', path: '/api/nowhere' } }),
    ).toMatch(/not in the OpenAPI document/);
  });
});
