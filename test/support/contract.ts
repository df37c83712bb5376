import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import supertest from 'supertest';
import { buildOpenApiDocument } from '../../src/common/openapi/openapi-document';

/**
 * Real responses checked against the OpenAPI document (/api/docs-json), so the document cannot
 * drift from the code. `request(t.server)` is supertest's, except that every response a test
 * awaits is checked: a 2xx body must match its operation's schema exactly (no field the
 * document lacks: objects are closed unless they say otherwise), an error body must be the
 * error envelope, and the route must be in the document.
 */

/** Routes deliberately left out of the document (not part of the API): the web app's pages etc. */
const UNDOCUMENTED = [
  /^\/metrics$/, // Prometheus text, scraped with METRICS_TOKEN
  /^\/chat$/, // the old page's redirect to the web app
  /^\/api\/docs/, // the document itself and its viewer
  /^\/assets\//, // the web app's built files (JS, CSS, fonts), served statically
  // oidc-provider's protocol endpoints (authorize, token, revocation, introspection, registration,
  // JWKS, userinfo) and the authorization server's metadata: protocol routes whose contract is the
  // OAuth RFCs and the RFC 8414 metadata (test/oauth checks them with openid-client), served by a
  // middleware, not by Nest controllers. Our own pages under /oauth/interaction/ ARE documented.
  /^\/oauth\/(?!interaction\/)/,
  /^\/\.well-known\/(oauth-authorization-server|openid-configuration)(\/|$)/,
];

interface Operation {
  pattern: RegExp;
  method: string;
  path: string;
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

interface Contract {
  operations: Operation[];
  strict: Ajv;
  lax: Ajv;
  cache: Map<string, ValidateFunction>;
}

const DOCUMENT_ID = 'openapi.json';
const apps = new WeakMap<Server, INestApplication>();
/** The same apps by origin (`http://127.0.0.1:<port>`), for responses fetched by URL. */
const appsByOrigin = new Map<string, INestApplication>();
let contract: Contract | undefined;

/** startTestApp registers each app, so a response can be checked against its document. */
export function registerContractApp(server: Server, app: INestApplication): void {
  apps.set(server, app);
  // Built now rather than at the first response (~0.5 s of blocked event loop): the app runs in
  // this process, so that pause would land in the middle of a test's parallel requests.
  contractOf(app);
  const address = server.address();
  if (address && typeof address === 'object') {
    const origin = `http://127.0.0.1:${address.port}`;
    appsByOrigin.set(origin, app);
    server.once('close', () => appsByOrigin.delete(origin));
  }
}

/** Every object schema with properties and no `additionalProperties` becomes closed. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === 'example' ? value : closed(value)]),
  );
  if ('properties' in copy && !('additionalProperties' in copy)) {
    copy.additionalProperties = false;
  }
  return copy;
}

function ajvFor(document: OpenAPIObject, close: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const components = close ? closed(document.components) : document.components;
  ajv.addSchema({ $id: DOCUMENT_ID, components }, DOCUMENT_ID);
  return ajv;
}

function contractOf(app: INestApplication): Contract {
  if (contract) return contract;
  // The document does not depend on the configuration, so one per test process is enough.
  const document = buildOpenApiDocument(app);
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (operation) {
        operations.push({
          pattern,
          method,
          path,
          responses: operation.responses as Operation['responses'],
        });
      }
    }
  }
  // Literal paths first, so /api/credits/activity.csv is not taken for a template.
  operations.sort((a, b) => Number(a.path.includes('{')) - Number(b.path.includes('{')));
  contract = {
    operations,
    strict: ajvFor(document, true),
    lax: ajvFor(document, false),
    cache: new Map(),
  };
  return contract;
}

/** The schema with its `$ref`s pointing into the document registered with ajv. */
function rooted(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rooted);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' ? `${DOCUMENT_ID}${value}` : rooted(value),
    ]),
  );
}

export interface CheckedResponse {
  status: number;
  body: unknown;
  text?: string;
  headers: Record<string, string>;
  req: { method: string; path: string };
}

/** Why `res` breaks the contract, or undefined when it keeps it. */
export function contractViolation(app: INestApplication, res: CheckedResponse): string | undefined {
  const { operations, strict, lax, cache } = contractOf(app);
  const method = res.req.method.toLowerCase();
  const path = res.req.path.split('?')[0];
  const where = `${res.req.method} ${path} → ${res.status}`;
  if (UNDOCUMENTED.some((pattern) => pattern.test(path))) return undefined;
  const operation = operations.find((op) => op.method === method && op.pattern.test(path));
  const contentType = (res.headers['content-type'] ?? '').split(';')[0];
  if (!operation) {
    // Not an API route: a probe of a path nobody serves (the JSON 404), or a web app page.
    if (res.status === 404 || (method === 'get' && contentType === 'text/html')) return undefined;
    return `${where}: the route is not in the OpenAPI document`;
  }
  const declared = operation.responses[String(res.status)];
  const response = declared ?? (res.status >= 400 ? operation.responses.default : undefined);
  if (!response) return `${where}: status ${res.status} is not declared`;
  if (res.status === 204 || res.status === 304 || (res.status >= 300 && res.status < 400)) {
    return undefined;
  }
  const media = response.content?.[contentType];
  if (!media) {
    return `${where}: ${contentType || 'no content type'} is not declared (${Object.keys(response.content ?? {}).join(', ') || 'no body'})`;
  }
  if (contentType !== 'application/json' || !media.schema) return undefined;
  const key = `${operation.method} ${operation.path} ${res.status}`;
  let validate = cache.get(key);
  if (!validate) {
    validate = (res.status < 300 ? strict : lax).compile(rooted(media.schema) as object);
    cache.set(key, validate);
  }
  if (validate(res.body)) return undefined;
  const errors = (validate.errors ?? [])
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : ''}`,
    );
  return `${where} does not match the document (${operation.path}): ${errors.join('; ')}`;
}

/**
 * Checks a response `fetch` got from `url` (e.g. test/support/browser-client.ts following the
 * Google redirects) when it came from an app startTestApp started; throws on a violation. The
 * response's body stays readable.
 */
export async function checkFetched(url: string, method: string, res: Response): Promise<void> {
  const target = new URL(url);
  const app = appsByOrigin.get(target.origin.replace('localhost', '127.0.0.1'));
  if (!app) return;
  const text = await res.clone().text();
  const headers = Object.fromEntries(res.headers.entries());
  let body: unknown = {};
  if ((headers['content-type'] ?? '').startsWith('application/json') && text) {
    body = JSON.parse(text) as unknown;
  }
  const problem = contractViolation(app, {
    status: res.status,
    body,
    text,
    headers,
    req: { method, path: target.pathname },
  });
  if (problem) throw new Error(problem);
}

type Test = supertest.Test;
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

function checked(test: Test, server: Server): Test {
  const then = test.then.bind(test);
  const checking = ((onFulfilled, onRejected) =>
    then((res: supertest.Response) => {
      const app = apps.get(server);
      if (!app) throw new Error('contract: the server was not started by startTestApp');
      const problem = contractViolation(app, res as unknown as CheckedResponse);
      if (problem) throw new Error(problem);
      return res;
    }).then(onFulfilled, onRejected)) as Test['then'];
  test.then = checking;
  return test;
}

/** supertest's `request(server)`, checking every awaited response against the document. */
export function request(server: Server): ReturnType<typeof supertest> {
  const agent = supertest(server);
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property === 'string' && METHODS.has(property) && typeof value === 'function') {
        return (...args: unknown[]) =>
          checked((value as (...a: unknown[]) => Test).apply(target, args), server);
      }
      return value;
    },
  });
}
