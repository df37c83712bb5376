import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { Client } from 'pg';
import { io } from 'socket.io-client';
import type { ChatAck, ChatErrorEvent } from '../clients/typescript/src/chat-socket';
import type { HubChatSocket } from '../clients/typescript/src/socket';
import { generateSessionToken, hashSessionToken } from '../src/session/session-token';
import {
  BenchServer,
  machine,
  serverErrors,
  processCpuMs,
  runBenchmark,
  withBenchServer,
  writeBenchmarkSection,
} from './support';
import { FakeUpstream, startFakeUpstream } from './fake-upstream';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CHATS = Number(process.env.BENCH_CHATS ?? 3);
/** The single client runs more chats, so its p50 is not the middle of 9 chats. */
const SINGLE_CHATS = Number(process.env.BENCH_SINGLE_CHATS ?? 10);
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 100);
// 20 ms apart = 50 tokens/s, the pace of a typical streamed answer; 5 is a stress setting.
const CHUNK_DELAY_MS = Number(process.env.BENCH_CHUNK_DELAY_MS ?? 20);
const INSTANCES = Number(process.env.BENCH_HUB_INSTANCES ?? 1);
/** As the runs before 2026-12-02 13:30 UTC: the fake upstream on the benchmark's event loop. */
const FAKE_IN_PROCESS = process.env.BENCH_FAKE_IN_PROCESS === '1';
/** Non-default settings get a BENCHMARKS.md section (and a command line) of their own. */
const variant = [
  ...(INSTANCES !== 1 ? [`BENCH_HUB_INSTANCES=${INSTANCES}`] : []),
  ...(process.env.BENCH_CHUNK_DELAY_MS
    ? [`BENCH_CHUNK_DELAY_MS=${process.env.BENCH_CHUNK_DELAY_MS}`]
    : []),
  ...(FAKE_IN_PROCESS ? ['BENCH_FAKE_IN_PROCESS=1'] : []),
];
const command = [...variant, 'npm run bench:mcp'].join(' ');
const section = ['mcp', ...variant.map((v) => v.toLowerCase().replace(/[^a-z0-9]+/g, '-'))].join(
  ':',
);
const MODEL = 'gpt-4o-mini';
const MESSAGES = [{ role: 'user' as const, content: 'Count to one hundred, one word per number.' }];

/** STREAMS users with a session token each; accounts open with SIGNUP_BONUS_CREDITS on first use. */
async function seedUsers(databaseUrl: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO users (email, name, email_verified)
       SELECT 'bench-chat-' || g || '@example.test', 'Bench ' || g, true FROM generate_series(1, $1) g
       RETURNING id`,
      [STREAMS],
    );
    const tokens = rows.map(() => generateSessionToken());
    await client.query(
      `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, claimed_at)
       SELECT h, u::uuid, now(), now() + interval '1 day', now()
       FROM unnest($1::text[], $2::text[]) AS t(h, u)`,
      [tokens.map(hashSessionToken), rows.map((r) => r.id)],
    );
    return tokens;
  } finally {
    await client.end();
  }
}

/** One chat as its client saw it (performance.now() times). */
interface ChatTiming {
  /** The chat's request_id (hub) or a sequence name (direct). */
  id: string;
  sent: number;
  first: number;
  last: number;
  /** `chat:end` (after the charge) for the hub; the last chunk for the direct path. */
  ended: number;
  chunks: number;
  /** Why the chat did not finish (a refused ack or a `chat:error`); left out of the figures. */
  failure?: string;
}

type RunChat = (client: number, requestId: string) => Promise<ChatTiming>;

/** A chat through the hub on client `client`'s socket. */
function hubChat(sockets: HubChatSocket[]): RunChat {
  return (client, requestId) =>
    new Promise<ChatTiming>((resolve) => {
      const socket = sockets[client];
      const sent = performance.now();
      const timing: ChatTiming = {
        id: requestId,
        sent,
        first: -1,
        last: sent,
        ended: sent,
        chunks: 0,
      };
      const onChunk = (c: { request_id: string }) => {
        if (c.request_id !== requestId) return;
        timing.last = performance.now();
        if (timing.first < 0) timing.first = timing.last;
        timing.chunks++;
      };
      const stop = () => {
        socket.off('chat:chunk', onChunk);
        socket.off('chat:end', done);
        socket.off('chat:error', done);
      };
      const done = (e: { request_id: string; code?: ChatErrorEvent['code'] }) => {
        if (e.request_id !== requestId) return;
        stop();
        timing.ended = performance.now();
        resolve(e.code ? { ...timing, failure: `chat:error ${e.code}` } : timing);
      };
      socket.on('chat:chunk', onChunk);
      socket.on('chat:end', done);
      socket.on('chat:error', done);
      socket.emit(
        'chat:start',
        { request_id: requestId, model: MODEL, messages: MESSAGES, max_tokens: CHUNKS + 10 },
        (ack: ChatAck) => {
          if (ack.ok) return;
          stop();
          resolve({ ...timing, failure: `refused ${ack.code}` });
        },
      );
    });
}

/** The same chat straight from the SDK to the fake upstream. */
function directChat(client: OpenAI): RunChat {
  return async (_client, id) => {
    const sent = performance.now();
    const timing: ChatTiming = { id, sent, first: -1, last: sent, ended: sent, chunks: 0 };
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: MESSAGES,
      max_completion_tokens: CHUNKS + 10,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      if (!chunk.choices[0]?.delta?.content) continue;
      timing.last = performance.now();
      if (timing.first < 0) timing.first = timing.last;
      timing.chunks++;
    }
    timing.ended = timing.last;
    return timing;
  };
}

let chatSequence = 0;

/**
 * `clients` clients, each running `chats` chats back to back (the next starts when the previous
 * ended). Client i starts at i × spreadMs / clients: spread over one stream's length, about
 * `clients` streams run at any moment (steady load); spreadMs 0 starts them all at once (burst).
 */
async function runLoad(
  chat: RunChat,
  clients: number,
  chats: number,
  spreadMs: number,
): Promise<ChatTiming[]> {
  const timings: ChatTiming[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      if (spreadMs > 0) await sleep((client * spreadMs) / clients);
      for (let n = 0; n < chats; n++) timings.push(await chat(client, `c${chatSequence++}`));
    }),
  );
  return timings;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarize(all: ChatTiming[]) {
  const timings = all.filter((t) => !t.failure);
  const ttft = timings.map((t) => t.first - t.sent).sort((a, b) => a - b);
  const settle = timings.map((t) => t.ended - t.last).sort((a, b) => a - b);
  // Each stream's own pace once it flows: chunks after the first ÷ first-to-last chunk.
  const streamRates = timings.map((t) => ((t.chunks - 1) * 1000) / (t.last - t.first));
  const chunks = timings.reduce((sum, t) => sum + t.chunks, 0);
  const wallMs = Math.max(...timings.map((t) => t.last)) - Math.min(...timings.map((t) => t.sent));
  return {
    ttftP50: percentile(ttft, 50),
    ttftP99: percentile(ttft, 99),
    streamRate: streamRates.reduce((a, b) => a + b, 0) / streamRates.length,
    throughput: (chunks * 1000) / wallMs,
    settleP50: percentile(settle, 50),
    settleP99: percentile(settle, 99),
    chats: timings.length,
    failed: all.length - timings.length,
  };
}

type Summary = ReturnType<typeof summarize>;

interface Level {
  name: string;
  clients: number;
  /** Chats each client runs back to back per round. */
  chats: number;
  spreadMs: number;
}

const STREAM_MS = CHUNKS * CHUNK_DELAY_MS;

/** Both paths under one load, interleaved round by round so both see the same machine. */
async function measure(hub: RunChat, direct: RunChat, level: Level, hubPids: number[]) {
  const hubTimings: ChatTiming[] = [];
  const directTimings: ChatTiming[] = [];
  const loadBefore = loadavg()[0];
  let hubCpuMs = 0;
  let hubWallMs = 0;
  const hubCpu = () => hubPids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
  for (let round = 0; round < ROUNDS; round++) {
    directTimings.push(...(await runLoad(direct, level.clients, level.chats, level.spreadMs)));
    const [cpuBefore, wallBefore] = [hubCpu(), performance.now()];
    hubTimings.push(...(await runLoad(hub, level.clients, level.chats, level.spreadMs)));
    hubCpuMs += hubCpu() - cpuBefore;
    hubWallMs += performance.now() - wallBefore;
  }
  const hubSummary = summarize(hubTimings);
  const chunks = hubTimings.reduce((sum, t) => sum + t.chunks, 0);
  return {
    level,
    // The machine's 1-minute load average before and after this level (2 cores: above 2, the
    // benchmark, the server and PostgreSQL wait for CPU).
    load: `${loadBefore.toFixed(1)}→${loadavg()[0].toFixed(1)}`,
    failures: hubTimings.flatMap((t) => (t.failure ? [t.failure] : [])),
    hubIds: hubTimings.flatMap((t) => (t.failure ? [] : [t.id])),
    hub: hubSummary,
    direct: summarize(directTimings),
    // Per server process: share of one core while the hub path ran, and CPU per chunk.
    hubCorePercent: (hubCpuMs / hubWallMs / hubPids.length) * 100,
    hubCpuUsPerChunk: (hubCpuMs * 1000) / chunks,
  };
}

const ms = (n: number) => n.toFixed(1);
/** An added time with its sign (the hub can beat the direct path in a burst). */
const added = (n: number) => `${n < 0 ? '−' : '+'}${ms(Math.abs(n))}`;
const rate = (n: number) => Math.round(n).toLocaleString('en-US');
const percent = (hub: number, direct: number) => `${((hub / direct) * 100).toFixed(0)}%`;

function resultRows({
  level,
  load,
  hub,
  direct,
  hubCorePercent,
  hubCpuUsPerChunk,
}: {
  level: Level;
  load: string;
  hub: Summary;
  direct: Summary;
  hubCorePercent: number;
  hubCpuUsPerChunk: number;
}) {
  return [
    `| ${level.name} (load ${load}) | direct | ${ms(direct.ttftP50)} / ${ms(direct.ttftP99)} | ${rate(direct.streamRate)} | ${rate(direct.throughput)} | – | – | ${direct.chats} |`,
    `| ${level.name} (load ${load}) | hub | ${ms(hub.ttftP50)} / ${ms(hub.ttftP99)} (**${added(hub.ttftP50 - direct.ttftP50)}**) | ${rate(hub.streamRate)} (**${percent(hub.streamRate, direct.streamRate)}**) | ${rate(hub.throughput)} (${percent(hub.throughput, direct.throughput)}) | ${ms(hub.settleP50)} / ${ms(hub.settleP99)} | ${hubCorePercent.toFixed(0)}% · ${hubCpuUsPerChunk.toFixed(0)} µs | ${hub.chats}${hub.failed ? ` (+${hub.failed} failed)` : ''} |`,
  ];
}

/** Per chat, from the servers' `Chat started` / `Chat ended` lines (LOG_LEVEL=info). */
interface InsideHub {
  admissionMs?: number;
  upstreamFirstMs?: number;
  firstChunkMs?: number;
}

function insideHub(servers: BenchServer['servers']): Map<string, InsideHub> {
  const chats = new Map<string, InsideHub>();
  for (const { log } of servers) {
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      if (!line.includes('"msg":"Chat ')) continue;
      const entry = JSON.parse(line) as InsideHub & { requestId: string };
      const known = chats.get(entry.requestId) ?? {};
      for (const key of ['admissionMs', 'upstreamFirstMs', 'firstChunkMs'] as const) {
        if (typeof entry[key] === 'number') known[key] = entry[key];
      }
      chats.set(entry.requestId, known);
    }
  }
  return chats;
}

/** p50 of one figure over the level's hub chats, from the servers' log lines. */
function insideRow(
  { level, hubIds }: { level: Level; hubIds: string[] },
  chats: Map<string, InsideHub>,
): string {
  const p50 = (key: keyof InsideHub) => {
    const values = hubIds
      .map((id) => chats.get(id)?.[key])
      .filter((v): v is number => v !== undefined)
      .sort((a, b) => a - b);
    return values.length ? ms(percentile(values, 50)) : '–';
  };
  return `| ${level.name} | ${p50('admissionMs')} | ${p50('upstreamFirstMs')} | ${p50('firstChunkMs')} |`;
}

/** Chats that did not finish (left out of the figures) and the servers' error lines: why. */
function failureNotes(
  results: { level: Level; failures: string[] }[],
  servers: BenchServer['servers'],
): string[] {
  const counts = (items: string[]) => {
    const seen = new Map<string, number>();
    for (const item of items) seen.set(item, (seen.get(item) ?? 0) + 1);
    return [...seen].map(([item, n]) => `${n} × ${item}`);
  };
  const failed = results.flatMap((r) => r.failures.map((f) => `${f} (${r.level.name})`));
  if (failed.length === 0) return [];
  const errors = servers.flatMap((s) => serverErrors(s.log));
  return [
    '',
    `Chats that did not finish: ${counts(failed).join('; ')}. Server errors: ${
      errors.length ? counts(errors).join('; ') : 'none logged'
    } (logs: ${servers.map((s) => s.log).join(', ')}).`,
  ];
}

async function main(fake: FakeUpstream, { database, servers }: BenchServer): Promise<void> {
  const sockets: HubChatSocket[] = [];
  try {
    for (const token of await seedUsers(database.url)) {
      // Clients spread over the instances, as a load balancer would.
      const server = servers[sockets.length % servers.length];
      const socket: HubChatSocket = io(`${server.url}/mcp`, {
        auth: { token },
        transports: ['websocket'],
        forceNew: true,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      sockets.push(socket);
    }
    const hub = hubChat(sockets);
    const direct = directChat(
      new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseUrl, maxRetries: 0 }),
    );
    // Warm-up of both paths (JIT, pools, the token estimator, every account's first hold).
    await runLoad(hub, STREAMS, 1, 0);
    await runLoad(direct, STREAMS, 1, 0);

    // The three start patterns of issue 15 (1, 20 and STREAMS chats started in the same
    // millisecond), then the steady load of earlier runs.
    const bursts = [1, 20, STREAMS].filter((n, i, all) => n <= STREAMS && all.indexOf(n) === i);
    const levels: Level[] = [
      ...bursts.map((n) => ({
        name: `${n} at once`,
        clients: n,
        chats: n === 1 ? SINGLE_CHATS : CHATS,
        spreadMs: 0,
      })),
      { name: `${STREAMS} steady`, clients: STREAMS, chats: CHATS, spreadMs: STREAM_MS },
    ];
    const results: Awaited<ReturnType<typeof measure>>[] = [];
    const pids = servers.map((s) => s.pid);
    for (const level of levels) results.push(await measure(hub, direct, level, pids));
    const targets: Record<number, number> = { 1: 2, 20: 10, 100: 30 };
    const verdicts = bursts.map((n) => {
      const r = results.find((x) => x.level.name === `${n} at once`)!;
      const addedMs = r.hub.ttftP50 - r.direct.ttftP50;
      const kept = (r.hub.streamRate / r.direct.streamRate) * 100;
      const target = targets[n];
      const met =
        target === undefined
          ? ''
          : addedMs <= target
            ? ` (target ≤ ${target} ms ✓)`
            : ` (target ≤ ${target} ms ✗)`;
      return `${n} simultaneous start${n === 1 ? '' : 's'}: **${added(addedMs)} ms**${met}, chunk rate kept **${kept.toFixed(0)}%** (target ≥ 95%)`;
    });
    const inside = insideHub(servers);
    const markdown = [
      `## Chat streaming (\`${command}\`)`,
      '',
      `Run ${new Date().toISOString()} on ${await machine(database.url)}.`,
      '',
      `The fake OpenAI server (${FAKE_IN_PROCESS ? "in the benchmark process, on the direct client's event loop" : 'a process of its own, as a real upstream is another machine'}) streams ${CHUNKS} chunks ${CHUNK_DELAY_MS} ms apart (${1000 / CHUNK_DELAY_MS} tokens/s) per chat. "Hub": socket.io-client → the built server (${INSTANCES === 1 ? 'one process' : `${INSTANCES} processes on the same database and Redis, clients spread over them as by a load balancer`}; the request goes upstream at once while the credit hold, which also counts the chat limits, is taken (PostgreSQL), chunks wait for it; the capture and the conversation's answer after) → the request the OpenAI SDK's create() would send (built by the SDK's request builder, sent by the hub's HTTP client, which also reads the streamed body) → the fake. "Direct": the OpenAI SDK → the fake from the benchmark process, the baseline, measured in the same run, interleaved round by round. Each client runs ${CHATS} chats back to back (the single client ${SINGLE_CHATS}), ${ROUNDS} rounds per path. "Steady": the clients' first chats start spread over one stream's length (${STREAM_MS} ms), so about that many streams run at every moment, as with that many users chatting; "at once": every client starts in the same millisecond (a synchronized burst).`,
      '',
      "TTFT = from sending to the first text chunk. Stream rate = each chat's chunks after the first ÷ its first-to-last-chunk time, averaged over the chats: how fast the answer flows. Throughput = all chunks ÷ the wall time from the first request to the last chunk (includes the time to first token). End = last chunk → `chat:end` (the charge is written before it goes out). Hub CPU = user + system time of each server process while the hub path ran, as a share of one core, and per chunk delivered (the per-chat work included).",
      '',
      '| Load | Path | TTFT p50 / p99 ms (added p50) | Stream rate chunks/s (kept) | Throughput chunks/s (kept) | End p50 / p99 ms | Hub CPU: core · per chunk | Chats |',
      '|---|---|---|---|---|---|---|---|',
      ...results.flatMap(resultRows),
      '',
      `Added TTFT p50 against the direct path in the same run: ${verdicts.join('; ')}.`,
      '',
      "Inside the hub, p50 from its own log lines (`Chat started` / `Chat ended`, measured from the server's receipt of `chat:start`): admission = the credit hold with the chat limits taken (PostgreSQL); upstream first text = the fake's first chunk reached the hub; first chunk sent = the hub emitted it to the client (after both).",
      '',
      '| Load | Admission ms | Upstream first text ms | First chunk sent ms |',
      '|---|---|---|---|',
      ...results.map((r) => insideRow(r, inside)),
      ...failureNotes(results, servers),
    ].join('\n');
    writeBenchmarkSection(section, markdown);
    process.stdout.write(`${markdown}\n`);
  } finally {
    sockets.forEach((s) => s.close());
  }
}

runBenchmark(async () => {
  const fake = await startFakeUpstream(
    { chunks: Array.from({ length: CHUNKS }, (_, i) => ` n${i}`), chunkDelayMs: CHUNK_DELAY_MS },
    { inProcess: FAKE_IN_PROCESS },
  );
  try {
    await withBenchServer(
      {
        OPENAI_API_KEY: fake.apiKey,
        OPENAI_BASE_URL: fake.baseUrl,
        SIGNUP_BONUS_CREDITS: '1000000',
        // Counted by every start's hold; the first client runs ~60 chats in about two minutes.
        MCP_MESSAGES_PER_MINUTE: '1000',
        MCP_MAX_SOCKETS_PER_IP: '10000',
        // One `Chat started` and one `Chat ended` line per chat: where the first token's time went.
        LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'info',
      },
      (bench) => main(fake, bench),
      { instances: INSTANCES },
    );
  } finally {
    await fake.close();
  }
});
