import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * What a fake model does for one request. Each reply chunk counts as one output token, so the
 * tests know the exact usage the fake will report.
 */
export interface FakeBehaviour {
  /** Text chunks streamed in order (default: four short words). */
  chunks?: string[];
  /** Delay before the response headers and the first chunk. */
  firstChunkDelayMs?: number;
  /** Delay between chunks. */
  chunkDelayMs?: number;
  /** After this many chunks the stream waits for `release()`, then goes on (a test acts mid-stream). */
  holdAfter?: number;
  /** After this many chunks the stream stops sending but stays open (a stalled upstream). */
  stallAfter?: number;
  /** After this many chunks the stream sends the provider's error event and ends (it failed midway). */
  failAfter?: number;
  /** Input tokens the fake reports (default 12). */
  inputTokens?: number;
  /** Leave the usage out of the stream (OpenAI without the usage chunk). */
  omitUsage?: boolean;
  /** Answer with this HTTP error instead of a stream. */
  errorStatus?: 401 | 429 | 500 | 503;
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** The client went away before the response ended (an aborted stream). */
  aborted: boolean;
  /** The fake wrote the whole response. */
  completed: boolean;
  chunksSent: number;
  /** Which TCP connection carried it (numbered in the order the server accepted them). */
  connection: number;
}

export const DEFAULT_CHUNKS = ['Hello', ' from', ' the', ' fake'];

interface StreamPlan {
  chunks: string[];
  inputTokens: number;
  outputTokens: number;
  truncated: boolean;
}

/** The wire format of one provider: how a stream, its events and its errors are written. */
export interface WireFormat {
  /** Path of the streaming endpoint under the server root, e.g. `/v1/chat/completions`. */
  path: string;
  /** The request's output-token limit, when it gave one. */
  maxTokens(body: Record<string, unknown>): number | undefined;
  start(res: ServerResponse, body: Record<string, unknown>, plan: StreamPlan): void;
  chunk(res: ServerResponse, body: Record<string, unknown>, text: string, index: number): void;
  finish(
    res: ServerResponse,
    body: Record<string, unknown>,
    plan: StreamPlan,
    b: FakeBehaviour,
  ): void;
  error(status: number): Record<string, unknown>;
  /** The event that reports an overloaded server after the stream began. */
  streamError(res: ServerResponse): void;
}

/**
 * A small HTTP server speaking one provider's streaming wire format, driven by the real SDK through
 * its base-URL variable. Behaviours are chosen per model (or the default), errors can be queued,
 * and every request is recorded, including whether the client aborted it.
 */
export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  readonly apiKey = `fake-${randomBytes(8).toString('hex')}`;
  private readonly behaviours = new Map<string, FakeBehaviour>();
  private defaultBehaviour: FakeBehaviour = {};
  private readonly queuedErrors: number[] = [];
  private readonly open = new Set<ServerResponse>();
  private held?: { released: Promise<void>; release: () => void };
  private readonly arrivals: { count: number; arrived: () => void }[] = [];
  private readonly connections = new WeakMap<Socket, number>();
  private connectionCount = 0;

  private constructor(
    private readonly server: Server,
    private readonly wire: WireFormat,
    readonly root: string,
  ) {}

  static async start(wire: WireFormat): Promise<FakeLlmServer> {
    const holder: { fake?: FakeLlmServer } = {};
    const server = createServer((req, res) => void holder.fake?.handle(req, res));
    // Longer than any pause between a test's (or benchmark round's) requests: a client reusing a
    // kept-alive socket just as the server closes it gets a reset, which is not what is tested.
    server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.fake = new FakeLlmServer(server, wire, `http://127.0.0.1:${port}`);
    return holder.fake;
  }

  /** Behaviour for one model id (upstream id), or for every model without one of its own. */
  behave(behaviour: FakeBehaviour, model?: string): void {
    if (model) this.behaviours.set(model, behaviour);
    else this.defaultBehaviour = behaviour;
  }

  /** The next `times` requests (any model) get this status before behaviours apply again. */
  failNext(status: 401 | 429 | 500 | 503, times = 1): void {
    for (let i = 0; i < times; i++) this.queuedErrors.push(status);
  }

  /**
   * Until `release()`, every request waits before its first chunk: an upstream kept busy for as
   * long as the test needs (a stream holding its slot), with no guess at how long that is.
   */
  hold(): void {
    if (this.held) return;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held = { released, release };
  }

  /** Lets held requests (and later ones) stream. */
  release(): void {
    this.held?.release();
    this.held = undefined;
  }

  /** Resolves once `count` requests have reached the fake (counted since the last reset). */
  arrived(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((arrived) => this.arrivals.push({ count, arrived }));
  }

  reset(): void {
    this.release();
    this.behaviours.clear();
    this.defaultBehaviour = {};
    this.queuedErrors.length = 0;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const record: RecordedRequest = {
      path: req.url ?? '',
      headers: req.headers,
      body,
      aborted: false,
      completed: false,
      chunksSent: 0,
      connection: this.connectionOf(req.socket),
    };
    this.requests.push(record);
    for (const waiter of this.arrivals.filter((w) => w.count <= this.requests.length)) {
      this.arrivals.splice(this.arrivals.indexOf(waiter), 1);
      waiter.arrived();
    }
    this.open.add(res);
    res.on('close', () => {
      this.open.delete(res);
      if (!res.writableFinished) record.aborted = true;
    });

    if (req.method !== 'POST' || req.url !== this.wire.path) {
      return this.sendError(res, 404, record);
    }
    if (!this.authorized(req)) return this.sendError(res, 401, record);
    const model = typeof body.model === 'string' ? body.model : '';
    const behaviour = this.behaviours.get(model) ?? this.defaultBehaviour;
    const queued = this.queuedErrors.shift();
    if (queued) return this.sendError(res, queued, record);
    if (this.held) await this.held.released;
    if (res.destroyed) return;
    await sleep(behaviour.firstChunkDelayMs ?? 0);
    if (behaviour.errorStatus) return this.sendError(res, behaviour.errorStatus, record);
    await this.stream(res, body, behaviour, record);
  }

  private connectionOf(socket: Socket): number {
    let id = this.connections.get(socket);
    if (id === undefined) this.connections.set(socket, (id = ++this.connectionCount));
    return id;
  }

  private authorized(req: IncomingMessage): boolean {
    const bearer = req.headers.authorization;
    const key = req.headers['x-api-key'];
    return bearer === `Bearer ${this.apiKey}` || key === this.apiKey;
  }

  private sendError(res: ServerResponse, status: number, record: RecordedRequest): void {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 429) headers['retry-after'] = '0';
    res.writeHead(status, headers);
    res.end(JSON.stringify(this.wire.error(status)));
    record.completed = true;
  }

  private async stream(
    res: ServerResponse,
    body: Record<string, unknown>,
    behaviour: FakeBehaviour,
    record: RecordedRequest,
  ): Promise<void> {
    const all = behaviour.chunks ?? DEFAULT_CHUNKS;
    const limit = this.wire.maxTokens(body);
    const chunks = limit !== undefined ? all.slice(0, limit) : all;
    const plan: StreamPlan = {
      chunks,
      inputTokens: behaviour.inputTokens ?? 12,
      outputTokens: chunks.length,
      truncated: chunks.length < all.length,
    };
    res.statusCode = 200;
    res.setHeader('content-type', 'text/event-stream');
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('connection', 'keep-alive');
    this.wire.start(res, body, plan); // may set headers before its first write
    for (const [index, text] of chunks.entries()) {
      if (res.destroyed) return;
      if (index > 0) await sleep(behaviour.chunkDelayMs ?? 0);
      if (index === behaviour.holdAfter) {
        this.hold();
        await this.held!.released;
      }
      if (behaviour.stallAfter !== undefined && index >= behaviour.stallAfter) return; // stays open
      if (index === behaviour.failAfter) {
        this.wire.streamError(res);
        res.end();
        record.completed = true;
        return;
      }
      if (res.destroyed) return;
      this.wire.chunk(res, body, text, index);
      record.chunksSent++;
    }
    if (res.destroyed) return;
    this.wire.finish(res, body, plan, behaviour);
    res.end();
    record.completed = true;
  }
}

export function sse(res: ServerResponse, data: unknown, event?: string): void {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => (text += part));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
