import {
  Agent as HttpAgent,
  IncomingMessage,
  OutgoingHttpHeaders,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What the provider SDKs read of a response (they accept any `fetch` that answers this). */
export interface SdkResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  headers: Headers;
  /** Read as it is, an async iterable (streamedJson; the SDKs too): no web stream per chunk. */
  body: IncomingMessage;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/**
 * A `fetch` for the provider SDKs (their documented `fetch` option) on Node's own HTTP client,
 * with keep-alive connections. Node's global fetch (undici's WHATWG fetch) made a request object,
 * a web stream and a promise per chunk: a streamed answer cost the hub ~40% more CPU (measured in
 * BENCHMARKS.md, issue 15). Only what the SDKs use is implemented: method, headers, a string
 * body, the abort signal; redirects are not followed (the provider APIs answer directly).
 */
export function nodeHttpFetch(tls: { ca?: string } = {}): typeof fetch {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true }),
    // `ca`: trust this certificate authority instead of Node's (a private gateway; tests).
    'https:': new HttpsAgent({ keepAlive: true, ...tls }),
  };
  const sdkFetch = (input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<SdkResponse>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') {
        return reject(new TypeError(`Unsupported protocol ${url.protocol}`));
      }
      const request = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: init.method ?? 'GET',
          headers: plainHeaders(init.headers),
          agent: agents[url.protocol as 'http:' | 'https:'],
          signal: init.signal ?? undefined,
        },
        (res) => resolve(responseOf(url, res)),
      );
      request.once('error', reject);
      request.end(typeof init.body === 'string' ? init.body : undefined);
    });
  // The SDKs type their `fetch` option with the WHATWG Response; they read only SdkResponse.
  return sdkFetch as unknown as typeof fetch;
}

/**
 * The request's headers as Node's client takes them. The SDKs pass a Headers (a copy would check
 * every name and value again); a plain object (SdkJsonPost) goes as it is: Node checks it.
 */
function plainHeaders(headers: RequestInit['headers']): OutgoingHttpHeaders {
  if (headers instanceof Headers) return Object.fromEntries(headers);
  if (headers === undefined || Array.isArray(headers)) {
    return Object.fromEntries(new Headers(headers));
  }
  return headers as OutgoingHttpHeaders;
}

function responseOf(url: URL, res: IncomingMessage): SdkResponse {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
  }
  const status = res.statusCode ?? 0;
  const text = async () => {
    let body = '';
    res.setEncoding('utf8');
    for await (const part of res) body += part as string;
    return body;
  };
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: res.statusMessage ?? '',
    url: url.toString(),
    headers,
    body: res,
    text,
    json: async () => JSON.parse(await text()) as unknown,
  };
}
