import type { SdkResponse } from './node-http-fetch';

/**
 * What this module uses of a provider SDK client (Stainless-generated, as `openai` is): its public
 * request builder, which makes the URL, the authentication, the SDK's own headers and the JSON
 * body exactly as its `create()` does.
 */
export interface SdkRequestBuilder {
  buildRequest(options: {
    method: 'post';
    path: string;
    body: unknown;
  }): Promise<{ req: RequestInit; url: string }>;
}

/** The SDK's `APIError.generate`: the error subclass for an HTTP status (RateLimitError…). */
export interface SdkApiErrors {
  generate(
    status: number | undefined,
    errorResponse: object | undefined,
    message: string | undefined,
    headers: Headers | undefined,
  ): Error;
}

interface RequestTemplate {
  url: string;
  headers: Record<string, string>;
}

/**
 * JSON POSTs to one API path, as the SDK's `create()` sends them, for a fraction of its CPU.
 *
 * The SDK builds the request once (`buildRequest`): its URL and headers (authentication, user
 * agent, platform) are the same for every request of a client whose retries are off, so each
 * request reuses them, as a plain object, with its own JSON body; our `fetch` sends it, and an
 * HTTP error status raises the SDK's own error class, as `create()` would. A test checks the
 * requests are the ones `create()` sends. `create()` built its headers anew per request (the
 * WHATWG `Headers` class, which checks every name and value) and formatted its request details
 * twice for a debug log that is off: in a paired probe this took a chat's first token from +2.45
 * to +1.85 ms at one start and from +15.2 to +6.6 ms at 20 (BENCHMARKS.md, issue 15). What
 * `create()` has beyond that is not used here: its retries and timeout (the upstream runner has
 * its own).
 */
export class SdkJsonPost {
  private template?: Promise<RequestTemplate>;

  constructor(
    private readonly client: SdkRequestBuilder,
    private readonly errors: SdkApiErrors,
    private readonly fetch: typeof globalThis.fetch,
    private readonly path: string,
  ) {}

  async send(body: unknown, signal: AbortSignal): Promise<SdkResponse> {
    const { url, headers } = await (this.template ??= this.buildTemplate());
    const init = { method: 'POST', headers, body: JSON.stringify(body), signal };
    // Our fetch (nodeHttpFetch) answers an SdkResponse, which is what the SDKs read too.
    const response = (await this.fetch(url, init)) as unknown as SdkResponse;
    if (response.ok) return response;
    const text = await response.text().catch((error: unknown) => String(error));
    const json = parsedObject(text);
    throw this.errors.generate(response.status, json, json ? undefined : text, response.headers);
  }

  private async buildTemplate(): Promise<RequestTemplate> {
    try {
      const { req, url } = await this.client.buildRequest({
        method: 'post',
        path: this.path,
        body: {},
      });
      return { url, headers: Object.fromEntries(new Headers(req.headers)) };
    } catch (error) {
      this.template = undefined;
      throw error;
    }
  }
}

/** The body as a JSON object (as the SDKs read an error body), or undefined. */
function parsedObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
