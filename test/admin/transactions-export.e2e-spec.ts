import { get, IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ADMIN_TEST_ENV, Caller, userWithToken } from '../support/admin';
import { eventually } from '../support/eventually';
import { startTestApp, TestApp } from '../support/test-app';

const ROWS = 100_000;

// A real garbage collection on demand, so the heap we measure is what is still referenced.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const liveHeap = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

function download(t: TestApp, admin: Caller, path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(`${t.url}/api/admin${path}`, { headers: { Authorization: admin.auth } }, resolve).on(
      'error',
      reject,
    );
  });
}

describe('CSV export of 100,000 ledger rows', () => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await startTestApp({ env: ADMIN_TEST_ENV });
    admin = await userWithToken(t, { role: 'admin' });
    // Bulk rows straight into the ledger (each row's arithmetic holds; accounts are not involved
    // here), ~450 bytes of CSV each: the whole export is ~45 MB.
    await t.database.query(
      `INSERT INTO users (email, name) SELECT 'export-' || g || '@example.test', 'Export ' || g
         FROM generate_series(1, 100) g`,
    );
    await t.database.query(
      `INSERT INTO credit_transactions (user_id, type, service, amount, balance_before, balance_after,
                                        metadata, actor, created_at)
       SELECT u.ids[1 + g % 100], 'deduct', 'video', -1, 1, 0,
              jsonb_build_object('n', g, 'note', repeat('x', 300)), 'api_key:export',
              timestamptz '2026-01-01' + g * interval '1 second'
         FROM generate_series(1, $1::int) g,
              (SELECT array_agg(id) AS ids FROM users WHERE email LIKE 'export-%') u`,
      [ROWS],
    );
  }, 60_000);
  afterAll(() => t.close());

  it('streams every row in order with only a batch in memory at a time', async () => {
    const baseline = liveHeap();
    const response = await download(t, admin, '/transactions?format=csv&service=video');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    let bytes = 0;
    let chunks = 0;
    let lines = 0;
    let peak = 0;
    let nextSample = 0;
    let first = '';
    let tail = '';
    for await (const chunk of response as AsyncIterable<Buffer>) {
      const text = chunk.toString('utf8');
      if (first.length < 2000) first += text.slice(0, 2000);
      tail = (tail + text).slice(-2000);
      bytes += chunk.length;
      chunks += 1;
      lines += text.split('\r\n').length - 1;
      if (bytes >= nextSample) {
        peak = Math.max(peak, liveHeap() - baseline);
        nextSample = bytes + 2 * 2 ** 20;
      }
    }
    expect(lines).toBe(ROWS + 1);
    expect(bytes).toBeGreaterThan(40 * 2 ** 20);
    // Rows arrive as they are read, in many pieces…
    expect(chunks).toBeGreaterThan(100);
    // …and what the process holds at any time stays far below the export's size (building it in
    // memory would hold ≥ 40 MB of text, more as row objects).
    process.stdout.write(
      `CSV export: ${bytes} bytes in ${chunks} chunks, peak live heap +${(peak / 2 ** 20).toFixed(1)} MB\n`,
    );
    expect(peak).toBeLessThan(16 * 2 ** 20);
    const firstRow = first.split('\r\n')[1];
    expect(firstRow).toContain(',2026-01-02T03:46:40.000Z,'); // newest: row 100,000
    expect(tail.trimEnd().split('\r\n').pop()).toContain(',2026-01-01T00:00:01.000Z,');
  }, 120_000);

  it('a client that goes away mid-export ends the cursor and gives its connection back', async () => {
    const response = await download(t, admin, '/transactions?format=csv');
    await new Promise<void>((resolve) => response.once('data', () => resolve()));
    response.destroy();
    await eventually(async () => {
      const busy = await t.database.query(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND (state LIKE 'idle in transaction%' OR query LIKE 'FETCH%' AND state = 'active')`,
      );
      expect(busy).toEqual([]);
    });
    // And the export still works afterwards.
    const again = await download(t, admin, '/transactions?format=csv&limit=1&type=signup');
    expect(again.statusCode).toBe(200);
    again.resume();
  }, 60_000);
});
