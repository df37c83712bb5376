import { request } from '../support/contract';
import { startTestApp, TestApp } from '../support/test-app';

const METRICS_TOKEN = 'scrape-token-0123456789';

describe('HTTP error shape', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { BODY_LIMIT: '1kb', METRICS_TOKEN } });
  });
  afterAll(() => t.close());

  function expectErrorShape(body: Record<string, unknown>, status: number, requestId?: string) {
    expect(Object.keys(body).sort()).toEqual(['error', 'message', 'requestId', 'statusCode']);
    expect(body.statusCode).toBe(status);
    expect(typeof body.message).toBe('string');
    if (requestId) expect(body.requestId).toBe(requestId);
  }

  it('answers an unknown route with a JSON 404', async () => {
    const res = await request(t.server).get('/api/no/such/route').set('X-Request-ID', 'probe-404');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['x-request-id']).toBe('probe-404');
    expectErrorShape(res.body, 404, 'probe-404');
    expect(res.body.error).toBe('Not Found');
  });

  it('answers malformed JSON with a 400, not a stack trace', async () => {
    const res = await request(t.server)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .set('X-Request-ID', 'probe-400')
      .send('{"unterminated": ');
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400, 'probe-400');
    expect(res.body.message).toBe('Malformed JSON in request body');
    expect(res.text).not.toMatch(/at .*\.js:\d+/);
  });

  it('answers an oversize body with a 413', async () => {
    const res = await request(t.server)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ filler: 'x'.repeat(4096) }));
    expect(res.status).toBe(413);
    expectErrorShape(res.body, 413);
    expect(res.headers['x-request-id']).toBe(res.body.requestId);
    // Refused by the body parser, before any route: the access log still has it.
    const line = t.logs.lines
      .map((l) => JSON.parse(l) as { req?: { id?: string } })
      .find((entry) => entry.req?.id === res.body.requestId);
    expect(line).toMatchObject({
      req: { method: 'POST', url: '/api/auth/login' },
      res: { statusCode: 413 },
    });
  });

  it('replaces an unsafe request id with a generated one and logs with it', async () => {
    const res = await request(t.server)
      .get('/api/nowhere')
      .set('X-Request-ID', 'bad id with spaces');
    const generated = res.headers['x-request-id'];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.requestId).toBe(generated);
    const line = t.logs.lines
      .map((l) => JSON.parse(l) as { req?: { id?: string } })
      .find((entry) => entry.req?.id === generated);
    expect(line).toMatchObject({
      req: { id: generated, url: '/api/nowhere' },
      res: { statusCode: 404 },
    });
  });

  it('sets the security headers of helmet', async () => {
    const res = await request(t.server).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('serves the OpenAPI document and the Swagger UI', async () => {
    const json = await request(t.server).get('/api/docs-json');
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(json.body.paths['/health/ready']).toBeDefined();
    const ui = await request(t.server).get('/api/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('exposes Prometheus metrics labelled by route pattern and status', async () => {
    await request(t.server).get('/health/ready').expect(200);
    const res = await request(t.server)
      .get('/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_requests_total\{method="GET",route="\/health\/ready",status="200"\} [1-9]/,
    );
    expect(res.text).toMatch(
      /http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/,
    );
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('S-16: /metrics wants Authorization: Bearer METRICS_TOKEN', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', METRICS_TOKEN]) {
      const req = request(t.server).get('/metrics');
      const res = await (authorization ? req.set('Authorization', authorization) : req);
      expect(res.status).toBe(401);
      expect(res.text).not.toContain('http_requests_total');
    }
    const lower = await request(t.server)
      .get('/metrics')
      .set('Authorization', `bearer ${METRICS_TOKEN}`);
    expect(lower.status).toBe(200);
  });

  it('S-16: without METRICS_TOKEN /metrics is off', async () => {
    const plain = await startTestApp({ database: t.database });
    try {
      const res = await request(plain.server).get('/metrics');
      expect(res.status).toBe(404);
      expect(res.body.message).toContain('METRICS_TOKEN');
    } finally {
      await plain.app.close();
    }
  });
});
