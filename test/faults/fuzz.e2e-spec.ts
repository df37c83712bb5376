import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { FakeGoogle } from '../support/fake-google';
import {
  FAULT_INTEGRATION_KEY,
  FaultCluster,
  faultSeed,
  SeededRandom,
} from '../support/fault-cluster';
import { freePort } from '../support/free-port';

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  example?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
};
interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: Record<string, unknown>[];
}
interface Probe {
  what: string;
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string;
}

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\uD800b';
const deep = (depth: number): unknown => (depth === 0 ? 'x' : [deep(depth - 1)]);

/** Wrong values for a field: wrong types, hostile text, null, huge and deep. */
function hostileValues(schema: Schema): [string, unknown][] {
  return [
    ['a number', 123456789],
    ['a float', 1e308],
    ['a string', 'not what you expect'],
    ['a boolean', true],
    ['an object', { nested: { x: 1 } }],
    ['an array', [1, 'two', null]],
    ['null', null],
    ['a NUL', NUL],
    ['a lone surrogate', LONE_SURROGATE],
    ['a huge string', 'x'.repeat(200_000)],
    ['40-deep nesting', deep(40)],
    ['an empty string', ''],
    ...(schema.type === 'number' || schema.type === 'integer'
      ? ([
          ['a negative', -1],
          ['a numeric string', '1e400'],
        ] as [string, unknown][])
      : []),
  ];
}

/**
 * Issue 13's fuzz: every operation of /api/docs-json with valid credentials and then wrong types,
 * NUL, lone surrogates, nulls, huge and deep values, bad headers, bad content types and bad path
 * and query values. Zero responses ≥ 500 (a 503 only where the operation documents it), and the
 * server process is alive afterwards.
 */
describe('fault: fuzz every operation of /api/docs-json', () => {
  let cluster: FaultCluster;
  let google: FakeGoogle;

  beforeAll(async () => {
    google = await FakeGoogle.start();
    const port = await freePort();
    cluster = await FaultCluster.start({
      instances: 1,
      redis: 'volatile',
      env: google.env(`http://127.0.0.1:${port}/api/auth/google/callback`),
      ports: [port],
    });
  }, 300_000);
  afterAll(async () => {
    await cluster?.stop();
    await google?.close();
  });

  it('answers every hostile request below 500 and stays alive', async () => {
    const rng = faultSeed('test/faults/fuzz.e2e-spec.ts');
    const base = cluster.url(0);
    const doc = (await (await fetch(`${base}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components?: { schemas?: Record<string, Schema> };
    };
    const resolve = (schema: Schema | undefined): Schema => {
      if (!schema?.$ref) return schema ?? {};
      return resolve(doc.components?.schemas?.[schema.$ref.split('/').pop()!]);
    };
    const valid = (schema: Schema): unknown => {
      const s = resolve(schema);
      if (s.example !== undefined) return s.example;
      if (s.enum) return s.enum[0];
      if (s.oneOf) return valid(s.oneOf[0]);
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (s.type === 'integer' || s.type === 'number') return 1;
      if (s.type === 'boolean') return true;
      if (s.type === 'array') return [valid(s.items ?? {})];
      if (s.type === 'object' || s.properties) {
        return Object.fromEntries(
          Object.entries(s.properties ?? {}).map(([k, v]) => [k, valid(v)] as const),
        );
      }
      return 'fuzz';
    };

    const credentials = await fuzzCredentials(cluster);
    const probes: Probe[] = [];
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const verb = method.toUpperCase();
        const params = op.parameters ?? [];
        const fill = (value: (name: string) => string) =>
          template.replace(/\{([^}]+)\}/g, (_, name: string) => value(name));
        const path = fill((name) =>
          encodeURIComponent(String(valid(params.find((p) => p.name === name)?.schema ?? {}))),
        );
        const query = params
          .filter((p) => p.in === 'query')
          .map((p) => `${p.name}=${encodeURIComponent(String(valid(p.schema ?? {})))}`)
          .join('&');
        const headers = { ...credentials.for(op, rng) };
        const schema = resolve(op.requestBody?.content?.['application/json']?.schema);
        const body = op.requestBody ? (valid(schema) as Record<string, unknown>) : undefined;
        const json = (b: unknown) => JSON.stringify(b);
        const probe = (what: string, change: Partial<Probe> = {}): Probe => ({
          what: `${verb} ${template}: ${what}`,
          method: verb,
          path,
          query,
          headers: {
            ...headers,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : json(body),
          ...change,
        });

        probes.push(probe('valid'));
        for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
          for (const [label, value] of hostileValues(resolve(fieldSchema))) {
            probes.push(probe(`${field} = ${label}`, { body: json({ ...body, [field]: value }) }));
          }
          const without = { ...body };
          delete without[field];
          probes.push(probe(`${field} missing`, { body: json(without) }));
        }
        const jsonHeaders = { ...headers, 'Content-Type': 'application/json' };
        for (const [label, raw] of [
          ['a key with NUL', json({ ...body, [NUL]: 1 })],
          ['a key with a lone surrogate', json({ ...body, [LONE_SURROGATE]: 1 })],
          ['an unknown field', json({ ...body, surprise: 'x' })],
          ['malformed JSON', '{"a": '],
          ['an array body', '[]'],
          ['a null body', 'null'],
          ['a string body', '"text"'],
          ['a 3,000-deep body', json(deep(3000))],
          ['a 2 MB body', json({ ...body, filler: 'x'.repeat(2 << 20) })],
          ['a number beyond double', '{"n": 1e999}'],
          ['a raw NUL byte', '{"a": "\u0000"}'],
          ['invalid UTF-8 bytes', '{"a": "\xff\xfe"}'],
        ] as const) {
          probes.push(probe(label, { headers: jsonHeaders, body: raw }));
        }
        for (const [label, type] of [
          ['text/plain', 'text/plain'],
          ['form-encoded', 'application/x-www-form-urlencoded'],
          ['a latin1 charset', 'application/json; charset=latin1'],
          ['a garbage Content-Type', ';;;==='],
        ] as const) {
          probes.push(
            probe(`Content-Type ${label}`, {
              headers: { ...headers, 'Content-Type': type },
              body: json(body ?? { a: 1 }),
            }),
          );
        }
        for (const [label, extra] of [
          ['a 300-character Idempotency-Key', { 'Idempotency-Key': 'k'.repeat(300) }],
          ['a latin1 Idempotency-Key', { 'Idempotency-Key': 'clé-ü' }],
          ['a bad X-User-ID', { 'X-User-ID': 'not-a-uuid' }],
          ['a forged bearer', { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' }],
          ['a Basic authorization', { Authorization: 'Basic Zm9vOmJhcg==' }],
          ['an unknown session token', { 'X-Session-Token': `VERIFIED-${'A'.repeat(43)}` }],
          ['a bad API key', { 'X-API-Key': 'sah_' + 'z'.repeat(500) }],
          ['a gzip Content-Encoding that is not gzip', { 'Content-Encoding': 'gzip' }],
          ['a long X-Request-ID', { 'X-Request-ID': 'r'.repeat(5000) }],
        ] as const) {
          probes.push(probe(label, { headers: { ...probe('').headers, ...extra } }));
        }
        for (const [label, value] of [
          ['NUL', '%00'],
          ['invalid UTF-8', '%ED%A0%80'],
          ['2,000 characters', 'x'.repeat(2000)],
          ['a traversal', '..%2F..%2Fetc'],
          ['a number', '12345'],
        ] as const) {
          if (template.includes('{'))
            probes.push(probe(`path = ${label}`, { path: fill(() => value) }));
          for (const param of params.filter((p) => p.in === 'query')) {
            probes.push(
              probe(`?${param.name} = ${label}`, { query: `${query}&${param.name}=${value}` }),
            );
          }
        }
        for (const param of params.filter((p) => p.in === 'query')) {
          probes.push(
            probe(`?${param.name} twice`, { query: `${query}&${param.name}=a&${param.name}=b` }),
          );
        }
      }
    }

    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const p = probes[next++];
        const url = `${base}${p.path}${p.query ? `?${p.query}` : ''}`;
        const send = () =>
          fetch(url, {
            method: p.method,
            headers: p.headers,
            body: p.method === 'GET' || p.method === 'HEAD' ? undefined : p.body,
            redirect: 'manual',
            signal: AbortSignal.timeout(20_000),
          });
        try {
          // Once more on a network error: a pooled keep-alive connection the server closed just
          // as it was reused fails without the server having seen the request.
          const res = await send().catch(send);
          const text = await res.text();
          if (res.status >= 500) failures.push(`${p.what} → ${res.status} ${text.slice(0, 200)}`);
        } catch (error) {
          failures.push(`${p.what} → no answer (${(error as Error).message})`);
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    process.stdout.write(
      `[faults] fuzz seed ${rng.seed}: ${probes.length} requests on ${Object.values(doc.paths).reduce((n, m) => n + Object.keys(m).length, 0)} operations, ${failures.length} ≥ 500\n`,
    );
    expect(failures).toEqual([]);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(cluster.servers[0]?.hasExited).toBe(false);
  }, 600_000);
});

/** Valid credentials of each scheme the document names, so probes get past authentication. */
async function fuzzCredentials(cluster: FaultCluster) {
  const admin = await cluster.adminToken();
  const [user] = await cluster.insertUsers(1);
  const token = `VERIFIED-${randomBytes(32).toString('base64url')}`;
  await cluster.pg.query(
    `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, claimed_at)
     VALUES ($1, $2, now(), now() + interval '7 days', now())`,
    [createHash('sha256').update(token).digest('hex'), user],
    'hub',
  );
  const byScheme: Record<string, Record<string, string>> = {
    bearer: { Authorization: `Bearer ${admin}` },
    'api-key': { 'X-API-Key': FAULT_INTEGRATION_KEY, 'X-User-ID': user },
    'session-token': { 'X-Session-Token': token, 'X-User-ID': user },
  };
  return {
    for(op: Operation, rng: SeededRandom): Record<string, string> {
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s)).filter((s) => byScheme[s]);
      return schemes.length === 0 ? byScheme.bearer : byScheme[rng.pick(schemes)];
    },
  };
}
